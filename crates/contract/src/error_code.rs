//! The `error_code` of an error answer. Those the vendor's pages name are documented; the
//! others are the reference implementation's choice where the pages give a status but no code.

crate::named_enum! {
    /// An `error_code`.
    pub enum ErrorCode: "error code" {
        /// 401: no or wrong credentials.
        Unauthorized = "unauthorized",
        /// 403: the role lacks the permission.
        InsufficientPermissions = "insufficient_permissions",
        /// 406: not every node supports OCSP.
        OcspUnsupportedByCapability = "ocsp_unsupported_by_capability",
        /// 400: a body that does not fit the endpoint's schema.
        InvalidSchema = "invalid_schema",
        /// 400: a body not declared as JSON.
        InvalidHeader = "invalid_header",
        /// 400: a certificate chain or key that does not do.
        InvalidCertificate = "invalid_certificate",
        /// 400 on `PUT /v1/ocsp`, 500 on `POST /v1/ocsp/test`: the proxy certificate names no
        /// OCSP responder.
        NoResponderUrl = "no_responder_url",
        /// 500: the responder answered with something unusable.
        InvalidOcspResponse = "invalid_ocsp_response",
        /// 500: the responder did not answer.
        OcspQueryFailed = "ocsp_query_failed",
        /// 500: the query waited in the task queue past its limit.
        TaskQueuedForTooLong = "task_queued_for_too_long",
        /// 403 on `PUT /v1/cluster/certificates`, 404 on `DELETE .../certificates/{name}`: a
        /// certificate name the cluster does not have.
        UnknownCertificate = "unknown_certificate",
        /// 406: a certificate whose validity has ended.
        ExpiredCertificate = "expired_certificate",
        /// 409 (400 on rotate): some nodes kept their old certificates.
        NodesNotUpdated = "nodes_not_updated",
        /// 403: a required certificate cannot be deleted.
        RequiredCertificate = "required_certificate",
        /// 500: a certificate could not be removed from a node's disk.
        CertificateDeletionFailed = "certificate_deletion_failed",
        /// 403: the cluster does not rotate this certificate.
        RotationUnsupported = "rotation_unsupported",
        /// 404: no such endpoint.
        NotFound = "not_found",
        /// 405: the endpoint takes no such method.
        MethodNotAllowed = "method_not_allowed",
        /// 413: a request body over the server's limit.
        PayloadTooLarge = "payload_too_large",
        /// 408: a request body that did not arrive in time.
        RequestTimeout = "request_timeout",
        /// 400 from a provider state: the state asked for cannot be set.
        InvalidState = "invalid_state",
        /// 409 from the clock provider state: the server runs on the system clock.
        SystemClock = "system_clock",
    }
}
