//! How an OCSP request travels over HTTP (RFC 6960 appendix A.1, RFC 5019 section 5).

contract::named_enum! {
    /// POST with the DER as the body, or GET with it in the path.
    #[derive(Default)]
    pub enum HttpMethod: "method" {
        /// DER body, `application/ocsp-request`.
        #[default]
        Post = "POST",
        /// Base64 in the path (RFC 5019), for requests that fit 255 octets encoded.
        Get = "GET",
    }
}
