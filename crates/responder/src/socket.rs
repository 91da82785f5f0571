//! A TCP stream that can misbehave on command: close before answering, or end with a reset
//! instead of a clean close. The request handler sets the fault through a shared
//! [`SocketControl`]; hyper, which writes the answer, never knows.

use std::io;
use std::pin::Pin;
use std::sync::Arc;
use std::sync::Mutex;
use std::sync::PoisonError;
use std::task::{Context, Poll};

use tokio::io::{AsyncRead, AsyncWrite, ReadBuf};
use tokio::net::TcpStream;

/// The fault to apply to the next answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum SocketFault {
    /// Write what hyper writes.
    #[default]
    None,
    /// Write nothing and close.
    CloseWithoutAnswer,
    /// Close with a TCP reset instead of a FIN when the connection ends (the handler ends it
    /// part-way through the body by failing the body stream).
    ResetOnClose,
}

/// Shared between a connection's stream and its request handler.
#[derive(Debug, Default)]
pub struct SocketControl {
    fault: Mutex<SocketFault>,
}

impl SocketControl {
    /// Sets the fault for what is written next.
    pub fn set(&self, fault: SocketFault) {
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner) = fault;
    }

    fn get(&self) -> SocketFault {
        *self.fault.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

/// A [`TcpStream`] that obeys a [`SocketControl`].
#[derive(Debug)]
pub struct FaultyStream {
    stream: TcpStream,
    control: Arc<SocketControl>,
}

impl FaultyStream {
    /// Wraps `stream`.
    pub fn new(stream: TcpStream, control: Arc<SocketControl>) -> Self {
        Self { stream, control }
    }
}

impl Drop for FaultyStream {
    fn drop(&mut self) {
        if self.control.get() == SocketFault::ResetOnClose {
            // A zero linger makes the close that follows send RST instead of FIN, and does not
            // block.
            let _ =
                socket2::SockRef::from(&self.stream).set_linger(Some(std::time::Duration::ZERO));
        }
    }
}

impl AsyncRead for FaultyStream {
    fn poll_read(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_read(cx, buf)
    }
}

impl AsyncWrite for FaultyStream {
    fn poll_write(
        mut self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        if self.control.get() == SocketFault::CloseWithoutAnswer {
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::BrokenPipe,
                "fault: close without answer",
            )));
        }
        Pin::new(&mut self.stream).poll_write(cx, buf)
    }

    fn poll_flush(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_flush(cx)
    }

    fn poll_shutdown(mut self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        Pin::new(&mut self.stream).poll_shutdown(cx)
    }
}
