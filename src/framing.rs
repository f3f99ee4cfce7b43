//! Newline framing of the app-server's stdout.
//!
//! The runtime writes one JSON object per line. Lines can be many megabytes (a large file diff, a
//! base64 image), so a line is accumulated in a growable buffer rather than a fixed-size one.

use tokio::io::{AsyncBufRead, AsyncBufReadExt};

/// Reads `\n`-terminated lines, dropping the terminator (and a `\r` before it).
pub struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
}

impl<R: AsyncBufRead + Unpin> LineReader<R> {
    pub fn new(inner: R) -> Self {
        Self { inner, buf: Vec::with_capacity(16 * 1024) }
    }

    /// The next non-empty line, or `None` at end of stream. A final line without a newline is still
    /// returned: a process that dies mid-write should not make us lose what it did write.
    pub async fn next_line(&mut self) -> std::io::Result<Option<Vec<u8>>> {
        loop {
            self.buf.clear();
            let n = self.inner.read_until(b'\n', &mut self.buf).await?;
            if n == 0 {
                return Ok(None);
            }
            let mut end = self.buf.len();
            while end > 0 && matches!(self.buf[end - 1], b'\n' | b'\r') {
                end -= 1;
            }
            if self.buf[..end].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            // Hand out an exactly-sized copy so a one-off huge line does not pin a huge buffer
            // inside every queued event; the reusable buffer keeps its capacity for the next line
            // unless it grew past a generous bound.
            let line = self.buf[..end].to_vec();
            if self.buf.capacity() > 4 * 1024 * 1024 {
                self.buf = Vec::with_capacity(16 * 1024);
            }
            return Ok(Some(line));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::{AsyncWriteExt, BufReader};

    async fn collect(input: Vec<u8>) -> Vec<Vec<u8>> {
        let (mut tx, rx) = tokio::io::duplex(1024);
        let writer = tokio::spawn(async move {
            // Write in odd-sized chunks so lines straddle reads.
            for chunk in input.chunks(777) {
                tx.write_all(chunk).await.unwrap();
            }
        });
        let mut reader = LineReader::new(BufReader::with_capacity(64, rx));
        let mut out = Vec::new();
        while let Some(line) = reader.next_line().await.unwrap() {
            out.push(line);
        }
        writer.await.unwrap();
        out
    }

    #[tokio::test]
    async fn splits_lines_and_strips_terminators() {
        let lines = collect(b"{\"a\":1}\n{\"b\":2}\r\n\n  \n{\"c\":3}".to_vec()).await;
        assert_eq!(lines, vec![b"{\"a\":1}".to_vec(), b"{\"b\":2}".to_vec(), b"{\"c\":3}".to_vec()]);
    }

    #[tokio::test]
    async fn copes_with_lines_of_many_megabytes() {
        let big = "x".repeat(12 * 1024 * 1024 + 3);
        let mut input = format!("{{\"big\":\"{big}\"}}\n").into_bytes();
        input.extend_from_slice(b"{\"after\":true}\n");
        let lines = collect(input).await;
        assert_eq!(lines.len(), 2);
        assert_eq!(lines[0].len(), big.len() + 10);
        assert!(lines[0].ends_with(b"x\"}"));
        assert_eq!(lines[1], b"{\"after\":true}".to_vec());
    }

    #[tokio::test]
    async fn empty_stream_yields_nothing() {
        assert!(collect(Vec::new()).await.is_empty());
    }
}
