//! What the fake responder does with a request: the response it signs ([`ResponsePlan`]) and
//! how it delivers it ([`Delivery`]): the bytes, the HTTP answer and the socket.

use serde::{Deserialize, Serialize};
use time::Duration;

use ocsp::ResponsePlan;

/// The whole behaviour of the responder.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Behaviour {
    /// The OCSP response to build.
    pub response: ResponsePlan,
    /// How to send it.
    pub delivery: Delivery,
}

/// What happens to the DER on its way to the client.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Body {
    /// The DER as built.
    #[default]
    Der,
    /// The first half of the DER.
    TruncatedDer,
    /// The DER followed by two zero octets.
    TrailingBytes,
    /// Sixty-four octets that are not DER.
    RandomBytes,
    /// Nothing.
    Empty,
    /// An HTML error page (served with `text/html`).
    Html,
    /// The DER padded with zeros to this many octets.
    Oversized(usize),
    /// Zeros, streamed without end.
    NeverEnding,
}

/// Socket-level faults.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Socket {
    /// A well-behaved HTTP/1.1 connection.
    #[default]
    Normal,
    /// Read the request, then close the connection without a byte of answer.
    CloseWithoutAnswer,
    /// Send the headers and half the body, then reset the connection (TCP RST).
    ResetMidBody,
    /// Send the headers (with the whole body's Content-Length) and half the body, then close
    /// the connection cleanly (FIN): a truncated transfer.
    CloseMidBody,
    /// Send the body in `chunk`-octet pieces, `interval` apart on the responder's clock.
    SlowDrip {
        /// Octets per piece.
        chunk: usize,
        /// Time between pieces.
        #[serde(with = "ocsp::plan_seconds")]
        interval: Duration,
    },
}

/// How the response is delivered.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Delivery {
    /// Wait this long on the responder's clock before answering.
    #[serde(with = "ocsp::plan_optional_seconds")]
    pub delay: Option<Duration>,
    /// The HTTP status code.
    pub http_status: u16,
    /// The Content-Type header; `None` sends `application/ocsp-response`.
    pub content_type: Option<String>,
    /// Answer with a redirect (the status above, 302 by default) to this URL.
    pub redirect_to: Option<String>,
    /// The bytes of the body.
    pub body: Body,
    /// The socket.
    pub socket: Socket,
}

impl Default for Delivery {
    fn default() -> Self {
        Self {
            delay: None,
            http_status: 200,
            content_type: None,
            redirect_to: None,
            body: Body::Der,
            socket: Socket::Normal,
        }
    }
}
