//! The journal of requests under `/_harness/requests`: what was answered under `/v1`, in
//! order, through resets, until emptied.

use contract::ManagementRole;
use reference::{DROPPED_HEADER, ReferenceOptions, ReferenceServer};
use reqwest::Method;
use serde_json::{Value, json};
use time::macros::datetime;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_journal_holds_every_v1_answer_through_resets_until_emptied() {
    let server =
        ReferenceServer::start(ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC)))
            .await
            .expect("starts");
    let http = server.http_client().expect("client");
    let admin = server
        .users()
        .with_role(ManagementRole::Admin)
        .expect("admin");
    let send = |method: Method, path: &str, credentials: bool| {
        let mut request = http.request(method, format!("{}{path}", server.url()));
        if credentials {
            request = request.basic_auth(&admin.username, Some(&admin.password));
        }
        async move { request.send().await.expect("answered") }
    };
    let journal = || async {
        let answer = send(Method::GET, "/_harness/requests", false).await;
        assert_eq!(answer.status(), 200);
        let dropped = answer.headers()[DROPPED_HEADER]
            .to_str()
            .expect("ASCII")
            .to_owned();
        let entries: Value = answer.json().await.expect("json");
        (entries, dropped)
    };

    send(Method::GET, "/v1/ocsp", true).await;
    send(Method::GET, "/v1/ocsp", false).await;
    send(Method::GET, "/_harness/state", false).await;
    send(Method::POST, "/_harness/reset", false).await;
    send(Method::GET, "/v1/cluster/alerts?ignore_settings=true", true).await;
    send(Method::DELETE, "/v1/ocsp", true).await;
    send(Method::GET, "/v1/nowhere", true).await;
    send(Method::GET, "/elsewhere", true).await;

    let (entries, dropped) = journal().await;
    assert_eq!(
        entries,
        json!([
            {"method": "GET", "path": "/v1/ocsp", "status": 200},
            {"method": "GET", "path": "/v1/ocsp", "status": 401},
            {"method": "GET", "path": "/v1/cluster/alerts?ignore_settings=true", "status": 200},
            {"method": "DELETE", "path": "/v1/ocsp", "status": 405},
            {"method": "GET", "path": "/v1/nowhere", "status": 404},
        ]),
        "a reset and the requests outside /v1 are not journaled"
    );
    assert_eq!(dropped, "0");
    assert_eq!(server.journal().expect("kept").entries_kept().len(), 5);

    let cleared: Value = send(Method::DELETE, "/_harness/requests", false)
        .await
        .json()
        .await
        .expect("json");
    assert_eq!(cleared, json!({"cleared": 5}));
    assert_eq!(journal().await, (json!([]), "0".to_owned()));
    send(Method::PUT, "/v1/ocsp", false).await;
    let (entries, _) = journal().await;
    assert_eq!(
        entries,
        json!([{"method": "PUT", "path": "/v1/ocsp", "status": 401}])
    );
    server.shutdown().await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn without_the_provider_states_there_is_no_journal() {
    let mut options = ReferenceOptions::embedded(datetime!(2026-03-01 12:00 UTC));
    options.state_hooks = false;
    let server = ReferenceServer::start(options).await.expect("starts");
    assert!(server.journal().is_none());
    let answer = server
        .http_client()
        .expect("client")
        .get(format!("{}/_harness/requests", server.url()))
        .send()
        .await
        .expect("answered");
    assert_eq!(answer.status(), 404);
    server.shutdown().await;
}
