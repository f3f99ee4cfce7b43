//! Newline framing of the app-server's stdout.
//!
//! The runtime writes one JSON object per line. Lines can be many megabytes (a large file diff, a
//! base64 image), so the buffer grows to fit a line and shrinks back afterwards. Complete lines are
//! handed out as slices of the buffer (no copy); the caller learns when the buffer holds no
//! further complete line, which is when the reader is about to wait for the pipe and a good moment
//! to wake consumers once for everything it just routed.

use tokio::io::{AsyncRead, AsyncReadExt};

/// The read buffer's size, and so the most one read takes from the pipe (see
/// `transport::child::widen_pipe`).
pub(crate) const INITIAL_CAPACITY: usize = 256 * 1024;
/// After a huge line, a buffer above this size is given back once it is drained.
const SHRINK_ABOVE: usize = 4 * 1024 * 1024;

pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of unconsumed data in `buf`.
    start: usize,
    /// Where to resume looking for a newline (everything in `start..scanned` has none).
    scanned: usize,
    eof: bool,
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self { inner, buf: Vec::with_capacity(INITIAL_CAPACITY), start: 0, scanned: 0, eof: false }
    }

    /// The next complete line already buffered, without its terminator (`\n` or `\r\n`). Blank
    /// lines are skipped. After end of stream, a final unterminated line is returned too: a process
    /// that dies mid-write should not make us lose what it did write.
    pub(crate) fn next_buffered(&mut self) -> Option<&[u8]> {
        loop {
            let (line_start, line_end, next) = match memchr::memchr(b'\n', &self.buf[self.scanned..]) {
                Some(pos) => {
                    let nl = self.scanned + pos;
                    (self.start, nl, nl + 1)
                }
                None if self.eof && self.start < self.buf.len() => (self.start, self.buf.len(), self.buf.len()),
                None => {
                    self.scanned = self.buf.len();
                    return None;
                }
            };
            self.start = next;
            self.scanned = next;
            let mut end = line_end;
            while end > line_start && matches!(self.buf[end - 1], b'\r' | b' ' | b'\t') {
                end -= 1;
            }
            if self.buf[line_start..end].iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            return Some(&self.buf[line_start..end]);
        }
    }

    /// Reads more from the stream. Returns false at end of stream.
    pub(crate) async fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        // Drop consumed bytes; keep a partial line at the front.
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.is_empty() && self.buf.capacity() > SHRINK_ABOVE {
            self.buf = Vec::with_capacity(INITIAL_CAPACITY);
        }
        if self.buf.capacity() - self.buf.len() < INITIAL_CAPACITY / 4 {
            // A line longer than what is free: grow (geometrically, via reserve).
            self.buf.reserve(INITIAL_CAPACITY);
        }
        let n = self.inner.read_buf(&mut self.buf).await?;
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use tokio::io::AsyncWriteExt;

    async fn collect(input: Vec<u8>) -> Vec<Vec<u8>> {
        let (mut tx, rx) = tokio::io::duplex(1024);
        let writer = tokio::spawn(async move {
            // Write in odd-sized chunks so lines straddle reads.
            for chunk in input.chunks(777) {
                tx.write_all(chunk).await.unwrap();
            }
        });
        let mut reader = LineReader::new(rx);
        let mut out = Vec::new();
        loop {
            while let Some(line) = reader.next_buffered() {
                out.push(line.to_vec());
            }
            if !reader.fill().await.unwrap() {
                break;
            }
        }
        while let Some(line) = reader.next_buffered() {
            out.push(line.to_vec());
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
    async fn many_small_lines_survive_buffer_boundaries() {
        let input: String = (0..50_000).map(|i| format!("{{\"n\":{i}}}\n")).collect();
        let lines = collect(input.into_bytes()).await;
        assert_eq!(lines.len(), 50_000);
        assert_eq!(lines[49_999], b"{\"n\":49999}".to_vec());
    }

    #[tokio::test]
    async fn empty_stream_yields_nothing() {
        assert!(collect(Vec::new()).await.is_empty());
    }
}
