//! The reference server's request handling takes any body, declared as anything, on every
//! endpoint: the answer is one of the contract's statuses (403 only where a page gives it for
//! something other than a permission: the admin sends), an error is a JSON object with an
//! `error_code`, and a configuration it accepts stays inside the contract's ranges.
#![no_main]

use std::sync::{Arc, OnceLock};

use axum::body::Body;
use base64::Engine as _;
use http::{Method, Request};
use libfuzzer_sys::fuzz_target;
use ocsp_harness::clock::VirtualClock;
use ocsp_harness::pki::Role;
use ocsp_harness::reference::{
    AppState, CertificateStore, Cluster, InstalledCertificate, app, generate_users,
};
use ocsp_harness_fuzz::{AT, pki};
use tower::ServiceExt as _;

struct World {
    runtime: tokio::runtime::Runtime,
    cluster: Arc<Cluster>,
    router: axum::Router,
    authorization: String,
    certificates: CertificateStore,
}

fn world() -> &'static World {
    static WORLD: OnceLock<World> = OnceLock::new();
    WORLD.get_or_init(|| {
        let (pki, _) = pki();
        // Without an OCSP URL, a test ends at once with no_responder_url: no network.
        let proxy = InstalledCertificate::parse(
            &pki.chain_pem(Role::ProxyNoAia),
            Some(&pki.cert(Role::ProxyNoAia).key_pem()),
        )
        .expect("the seed proxy parses");
        let certificates =
            CertificateStore::initial(Some(proxy)).expect("the initial certificates");
        let runtime = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        let cluster = runtime.block_on(async {
            Cluster::new(Arc::new(VirtualClock::new(AT)), 3, certificates.clone()).expect("cluster")
        });
        let users = generate_users();
        let admin = users
            .with_role(ocsp_harness::contract::ManagementRole::Admin)
            .expect("an admin")
            .clone();
        let authorization = format!(
            "Basic {}",
            base64::engine::general_purpose::STANDARD
                .encode(format!("{}:{}", admin.username, admin.password))
        );
        let router = app(AppState {
            cluster: Arc::clone(&cluster),
            users: Arc::new(users),
        });
        World {
            runtime,
            cluster,
            router,
            authorization,
            certificates,
        }
    })
}

// New endpoints go at the end, so that the committed seeds keep the endpoint they were made for.
const ENDPOINTS: [(Method, &str); 14] = [
    (Method::PUT, "/v1/ocsp"),
    (Method::POST, "/v1/ocsp/test"),
    (Method::PUT, "/v1/cluster/update_cert"),
    (Method::PUT, "/v1/cluster/certificates"),
    (Method::GET, "/v1/ocsp"),
    (Method::GET, "/v1/ocsp/status"),
    (Method::DELETE, "/v1/ocsp"),
    (Method::GET, "/v1/cluster/certificates"),
    (Method::DELETE, "/v1/cluster/certificates/mtls_trusted_ca"),
    (Method::POST, "/v1/cluster/certificates/rotate"),
    (Method::GET, "/v1/cluster"),
    (Method::PUT, "/v1/cluster"),
    (Method::GET, "/v1/cluster/alerts"),
    (Method::GET, "/v1/cluster/alerts/cluster_ocsp_query_failed"),
];

const CONTENT_TYPES: [Option<&str>; 4] = [
    None,
    Some("application/json"),
    Some("application/json; charset=utf-8"),
    Some("text/plain"),
];

fuzz_target!(|data: &[u8]| {
    let [endpoint, content_type, body @ ..] = data else {
        return;
    };
    let world = world();
    world.cluster.reset(world.certificates.clone());
    let (method, path) = &ENDPOINTS[usize::from(*endpoint) % ENDPOINTS.len()];
    let mut request = Request::builder()
        .method(method.clone())
        .uri(*path)
        .header("authorization", &world.authorization);
    if let Some(content_type) = CONTENT_TYPES[usize::from(*content_type) % CONTENT_TYPES.len()] {
        request = request.header("content-type", content_type);
    }
    let request = request.body(Body::from(body.to_vec())).expect("a request");
    let (status, answer) = world.runtime.block_on(async {
        let response = world
            .router
            .clone()
            .oneshot(request)
            .await
            .expect("infallible");
        let status = response.status().as_u16();
        let bytes = axum::body::to_bytes(response.into_body(), 1 << 20)
            .await
            .expect("the answer is read");
        (status, bytes)
    });
    assert!(
        [200, 400, 403, 404, 405, 406, 409, 413, 500].contains(&status),
        "{method} {path}: status {status}"
    );
    let answer: serde_json::Value = serde_json::from_slice(&answer).expect("a JSON answer");
    if status != 200 {
        assert!(answer["error_code"].is_string(), "{status}: {answer}");
        return;
    }
    if *method == Method::PUT && *path == "/v1/ocsp" {
        let config = world.cluster.config().to_json("");
        let within = |name: &str, low: u64, high: u64| {
            config[name]
                .as_u64()
                .is_some_and(|value| (low..=high).contains(&value))
        };
        assert!(within("query_frequency", 60, 86_400), "{config}");
        assert!(within("recovery_frequency", 60, 86_400), "{config}");
        assert!(within("recovery_max_tries", 1, 100), "{config}");
        assert!(within("response_timeout", 1, 60), "{config}");
        assert!(config["ocsp_functionality"].is_boolean(), "{config}");
    }
});
