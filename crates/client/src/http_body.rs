//! Reading answers from servers the harness does not control: a body up to a cap (a hostile
//! peer must not exhaust memory), and an HTTP error with its causes on one line.

/// Why a body was not read whole.
#[derive(Debug)]
pub enum BodyError {
    /// It is longer than the cap (announced, or found while reading).
    TooLarge,
    /// The connection failed while reading.
    Read(reqwest::Error),
}

/// The body of `response`, at most `cap` bytes.
pub async fn read_capped(
    mut response: reqwest::Response,
    cap: usize,
) -> Result<Vec<u8>, BodyError> {
    if response
        .content_length()
        .is_some_and(|length| length > cap as u64)
    {
        return Err(BodyError::TooLarge);
    }
    let mut body = Vec::new();
    while let Some(chunk) = response.chunk().await.map_err(BodyError::Read)? {
        if body.len() + chunk.len() > cap {
            return Err(BodyError::TooLarge);
        }
        body.extend_from_slice(&chunk);
    }
    Ok(body)
}

/// The error and each cause it does not already say (`error sending request: connection
/// refused`).
pub fn error_chain(error: &dyn std::error::Error) -> String {
    let mut text = error.to_string();
    let mut source = error.source();
    while let Some(cause) = source {
        let cause_text = cause.to_string();
        if !text.contains(&cause_text) {
            text.push_str(": ");
            text.push_str(&cause_text);
        }
        source = cause.source();
    }
    text
}
