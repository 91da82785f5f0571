//! `GET /v1/nodes`: one node object per node, with the product version, to every role but
//! `none`.

use contract::{Contract, ManagementRole};
use reference::{ReferenceOptions, ReferenceServer};
use serde_json::{Value, json};
use time::macros::datetime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn every_role_but_none_reads_the_nodes_with_the_newest_version_read() {
    let server =
        ReferenceServer::start(ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC)))
            .await
            .expect("starts");
    let http = server.http_client().expect("client");
    let url = format!("{}/v1/nodes", server.url());
    let version = Contract::embedded()
        .latest_version()
        .expect("a version")
        .software_version(0);
    let expected: Vec<Value> = (1..=server.cluster().nodes().len())
        .map(|uid| json!({"uid": uid, "status": "active", "software_version": version}))
        .collect();
    assert_eq!(expected.len(), 3);
    for role in ManagementRole::ALL {
        let user = server.users().with_role(role).expect("a user");
        let answer = http
            .get(&url)
            .basic_auth(&user.username, Some(&user.password))
            .send()
            .await
            .expect("answered");
        let status = answer.status().as_u16();
        let body: Value = answer.json().await.expect("json");
        if role == ManagementRole::None {
            assert_eq!(
                (status, &body["error_code"]),
                (403, &json!("insufficient_permissions"))
            );
        } else {
            assert_eq!(
                (status, body),
                (200, Value::Array(expected.clone())),
                "{role}"
            );
        }
    }
    let anonymous = http.get(&url).send().await.expect("answered");
    assert_eq!(anonymous.status(), 401);

    let admin = server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin");
    for (uid, status, body) in [
        ("2", 200, Some(expected[1].clone())),
        ("4", 404, None),
        ("0", 404, None),
        ("one", 404, None),
    ] {
        let answer = http
            .get(format!("{url}/{uid}"))
            .basic_auth(&admin.username, Some(&admin.password))
            .send()
            .await
            .expect("answered");
        assert_eq!(answer.status().as_u16(), status, "{uid}");
        let answer: Value = answer.json().await.expect("json");
        match body {
            Some(body) => assert_eq!(answer, body),
            None => assert_eq!(answer["error_code"], "not_found", "{uid}"),
        }
    }
    let user = server
        .users()
        .with_role(ManagementRole::None)
        .expect("none");
    let forbidden = http
        .get(format!("{url}/1"))
        .basic_auth(&user.username, Some(&user.password))
        .send()
        .await
        .expect("answered");
    assert_eq!(forbidden.status(), 403);
    server.shutdown().await;
}
