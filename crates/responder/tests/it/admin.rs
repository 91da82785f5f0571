//! The admin API over real HTTP: a test in any language changes the behaviour, reads the
//! journal and resets the responder through `/__admin` on the responder's own port.

use ocsp::{HashAlgorithm, ReportedStatus};
use pki::Role;
use responder::Behaviour;
use serde_json::{Value, json};

use crate::server::{AT, Setup, certificate, post, request_for, setup, verify};

fn admin(setup: &Setup, route: &str) -> String {
    format!("{}__admin/{route}", setup.responder.url())
}

async fn json_of(response: reqwest::Response) -> (u16, Value) {
    let status = response.status().as_u16();
    assert_eq!(
        response.headers()["content-type"],
        "application/json",
        "every admin answer is JSON"
    );
    (status, response.json().await.expect("a JSON body"))
}

/// The certificate's serial as the journal writes it: upper-case hex, no sign octet.
fn serial_hex(setup: &Setup, role: Role) -> String {
    let cert = certificate(&setup.pki, role);
    let bytes = cert.tbs_certificate.serial_number.as_bytes();
    let magnitude = match bytes {
        [0, next, ..] if next & 0x80 != 0 => &bytes[1..],
        _ => bytes,
    };
    magnitude
        .iter()
        .map(|octet| format!("{octet:02X}"))
        .collect()
}

#[tokio::test]
async fn a_behaviour_set_over_http_changes_the_answer_and_reset_restores_it() {
    let setup = setup(Behaviour::default()).await;
    let nonce = [0x5a; 16];
    let ask = || request_for(&setup.pki, Role::Proxy, HashAlgorithm::Sha256, Some(&nonce));

    let (status, health) = json_of(
        setup
            .http
            .get(admin(&setup, "health"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!((status, health), (200, json!({ "status": "ok" })));

    let der = post(&setup, ask()).await.bytes().await.expect("body");
    assert_eq!(
        verify(&setup, &der, Role::Proxy, Some(&nonce)),
        Ok(ReportedStatus::Good)
    );

    let (status, body) = json_of(
        setup
            .http
            .put(admin(&setup, "behaviour"))
            .json(&json!({ "behaviour": "revoked" }))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    assert_eq!(body["name"], "revoked");
    let der = post(&setup, ask()).await.bytes().await.expect("body");
    assert!(
        matches!(
            verify(&setup, &der, Role::Proxy, Some(&nonce)),
            Ok(ReportedStatus::Revoked { .. })
        ),
        "the answer follows the behaviour set over HTTP"
    );
    let (_, current) = json_of(
        setup
            .http
            .get(admin(&setup, "behaviour"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(current["name"], "revoked");
    assert_eq!(current["verdict"], body["verdict"]);

    // The journal holds the two OCSP requests and none of the admin ones, decoded.
    let (status, journal) = json_of(
        setup
            .http
            .get(admin(&setup, "requests"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(journal["total"], 2, "{journal:#}");
    let requests = journal["requests"].as_array().expect("an array");
    assert_eq!(requests.len(), 2);
    let first = &requests[0];
    assert_eq!(first["method"], "POST");
    assert_eq!(first["path"], "/");
    assert_eq!(first["time"], "2026-03-01T12:00:00Z");
    assert_eq!(first["body_len"], ask().len());
    assert_eq!(first["error"], Value::Null);
    assert!(
        first["headers"]
            .as_array()
            .expect("pairs")
            .contains(&json!(["content-type", "application/ocsp-request"]))
    );
    let cert_id = &first["request"]["cert_ids"][0];
    assert_eq!(cert_id["hash_algorithm"], "sha256");
    assert_eq!(cert_id["serial"], serial_hex(&setup, Role::Proxy));
    assert_eq!(cert_id["issuer_name_hash"].as_str().map(str::len), Some(64));
    assert_eq!(cert_id["issuer_key_hash"].as_str().map(str::len), Some(64));
    assert_eq!(first["request"]["nonce"], "5a".repeat(16));
    assert_eq!(first["request"]["nonce_len"], 16);
    assert_eq!(AT, setup.responder.journal().entries()[0].time);

    // An undecodable request is kept with the reason.
    post(&setup, b"garbage".to_vec()).await;
    let (_, journal) = json_of(
        setup
            .http
            .get(admin(&setup, "requests?limit=1"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(journal["total"], 3);
    let requests = journal["requests"].as_array().expect("an array");
    assert_eq!(requests.len(), 1, "the limit keeps the last one");
    assert_eq!(requests[0]["request"], Value::Null);
    assert!(
        requests[0]["error"]
            .as_str()
            .is_some_and(|error| error.contains("not a DER OCSPRequest")),
        "{journal:#}"
    );

    let (status, reset) = json_of(
        setup
            .http
            .post(admin(&setup, "reset"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 200);
    assert_eq!(reset["behaviour"]["name"], "good");
    assert_eq!(setup.responder.journal().total(), 0);
    assert_eq!(*setup.responder.behaviour(), Behaviour::default());
    let der = post(&setup, ask()).await.bytes().await.expect("body");
    assert_eq!(
        verify(&setup, &der, Role::Proxy, Some(&nonce)),
        Ok(ReportedStatus::Good)
    );
}

#[tokio::test]
async fn reset_returns_to_the_starting_behaviour_not_to_good() {
    let unknown = responder::behaviour_named("unknown").expect("a row");
    let setup = setup(unknown.clone()).await;
    setup.responder.set_behaviour(Behaviour::default());
    let answer = setup
        .http
        .post(admin(&setup, "reset"))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 200);
    assert_eq!(*setup.responder.behaviour(), unknown);
    assert_eq!(*setup.responder.initial_behaviour(), unknown);
}

#[tokio::test]
async fn admin_errors_are_json_with_the_right_status() {
    let setup = setup(Behaviour::default()).await;
    let (status, body) = json_of(
        setup
            .http
            .put(admin(&setup, "behaviour"))
            .body(r#"{"behaviour":"revokd"}"#)
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 400);
    assert_eq!(body["closest"], "revoked");

    let (status, _) = json_of(
        setup
            .http
            .put(admin(&setup, "behaviour"))
            .body("{")
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 400);

    let answer = setup
        .http
        .post(admin(&setup, "requests"))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.headers()["allow"], "GET, DELETE");
    assert_eq!(json_of(answer).await.0, 405);

    let (status, _) = json_of(
        setup
            .http
            .get(admin(&setup, "mappings"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 404);

    let (status, _) = json_of(
        setup
            .http
            .put(admin(&setup, "behaviour"))
            .body(vec![b' '; responder::MAX_ADMIN_BODY + 1])
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!(status, 413);

    let (status, cleared) = json_of(
        setup
            .http
            .delete(admin(&setup, "requests"))
            .send()
            .await
            .expect("answered"),
    )
    .await;
    assert_eq!((status, cleared), (200, json!({ "cleared": 0 })));
    assert_eq!(
        setup.responder.journal().total(),
        0,
        "no admin request is journalled"
    );
    assert_eq!(*setup.responder.behaviour(), Behaviour::default());
}
