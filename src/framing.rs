//! Newline framing of the app-server's stdout.
//!
//! The runtime writes one JSON object per line. Lines can be many megabytes (a large file diff, a
//! base64 image). Complete lines are handed out as slices of the buffer (no copy); the caller
//! learns when the buffer holds no further complete line, which is when the reader is about to
//! wait for the pipe and a good moment to wake consumers once for everything it just routed.
//!
//! A line that outgrows [`LARGE_LINE`] moves to memory of its own, an anonymous map that grows
//! in place (on Linux; elsewhere by a copy) and is handed out whole as shared [`Bytes`], so its
//! event keeps the line without copying it and the map is given back when the event goes: a
//! line costs about its own size, not the sum of a doubling buffer's generations and a copy.

use bytes::Bytes;
use memmap2::MmapMut;
use tokio::io::{AsyncRead, AsyncReadExt};

/// The read buffer's size, and so the most one read takes from the pipe (see
/// `transport::child::widen_pipe`).
pub(crate) const INITIAL_CAPACITY: usize = 256 * 1024;
/// A message above this size is handed out as [`Bytes`] of its own (see [`Line::shared`]).
pub(crate) const LARGE_LINE: usize = 1024 * 1024;

/// One message as a reader hands it out.
pub(crate) struct Line<'a> {
    /// Its bytes, without the terminator.
    pub(crate) text: &'a [u8],
    /// For a large message, the memory that holds `text` and nothing else the reader needs, for
    /// an event to share rather than copy.
    pub(crate) shared: Option<&'a Bytes>,
}

pub(crate) struct LineReader<R> {
    inner: R,
    buf: Vec<u8>,
    /// Start of unconsumed data in `buf`.
    start: usize,
    /// Where to resume looking for a newline (everything in `start..scanned` has none).
    scanned: usize,
    /// A line being read that outgrew `buf`; it starts at the map's first byte.
    large: Option<LargeBuf>,
    /// The large line handed out last.
    handed: Option<Bytes>,
    eof: bool,
}

/// The map a large line is read into, and how much of it holds data.
struct LargeBuf {
    map: MmapMut,
    len: usize,
    /// Everything in `..scanned` has no newline.
    scanned: usize,
}

/// A large line's map, shared by the events that keep parts of it.
struct MappedLine(MmapMut, usize);

impl AsRef<[u8]> for MappedLine {
    fn as_ref(&self) -> &[u8] {
        &self.0[..self.1]
    }
}

impl<R: AsyncRead + Unpin> LineReader<R> {
    pub(crate) fn new(inner: R) -> Self {
        Self {
            inner,
            buf: Vec::with_capacity(INITIAL_CAPACITY),
            start: 0,
            scanned: 0,
            large: None,
            handed: None,
            eof: false,
        }
    }

    /// The next complete line already buffered, without its terminator (`\n` or `\r\n`). Blank
    /// lines are skipped. After end of stream, a final unterminated line is returned too: a process
    /// that dies mid-write should not make us lose what it did write.
    pub(crate) fn next_buffered(&mut self) -> Option<Line<'_>> {
        self.handed = None;
        if self.large.is_some() {
            return self.next_large();
        }
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
            let end = content_end(&self.buf[line_start..line_end]);
            if end == 0 {
                continue;
            }
            return Some(Line { text: &self.buf[line_start..line_start + end], shared: None });
        }
    }

    /// The large line, once its newline (or the end of the stream) has arrived. What follows the
    /// newline goes back to `buf`, and the map becomes the line's shared bytes.
    fn next_large(&mut self) -> Option<Line<'_>> {
        let large = self.large.as_mut()?;
        let newline = memchr::memchr(b'\n', &large.map[large.scanned..large.len]).map(|pos| large.scanned + pos);
        let Some(line_end) = newline.or(self.eof.then_some(large.len)) else {
            large.scanned = large.len;
            return None;
        };
        let large = self.large.take()?;
        debug_assert!(self.buf.is_empty() && self.start == 0);
        self.buf.extend_from_slice(&large.map[(line_end + 1).min(large.len)..large.len]);
        self.scanned = 0;
        let end = content_end(&large.map[..line_end]);
        if end == 0 {
            return self.next_buffered();
        }
        let handed = self.handed.insert(Bytes::from_owner(MappedLine(large.map, end)));
        Some(Line { text: handed, shared: Some(handed) })
    }

    /// Reads more from the stream. Returns false at end of stream.
    pub(crate) async fn fill(&mut self) -> std::io::Result<bool> {
        if self.eof {
            return Ok(false);
        }
        let n = if self.large.is_some() || self.outgrows_buffer()? {
            let large = self.large.as_mut().expect("a large line is being read");
            large.reserve(INITIAL_CAPACITY)?;
            let len = large.len;
            let n = self.inner.read(&mut large.map[len..]).await?;
            large.len += n;
            n
        } else {
            if self.buf.capacity() - self.buf.len() < INITIAL_CAPACITY / 4 {
                // A line longer than what is free: grow (geometrically, via reserve).
                self.buf.reserve(INITIAL_CAPACITY);
            }
            self.inner.read_buf(&mut self.buf).await?
        };
        if n == 0 {
            self.eof = true;
        }
        Ok(n > 0)
    }

    /// Drops consumed bytes, keeping a partial line at the front; when that line will not fit
    /// below [`LARGE_LINE`], moves it to a map of its own (and says so).
    fn outgrows_buffer(&mut self) -> std::io::Result<bool> {
        if self.start > 0 {
            self.buf.drain(..self.start);
            self.scanned -= self.start;
            self.start = 0;
        }
        if self.buf.len() + INITIAL_CAPACITY <= LARGE_LINE {
            if self.buf.is_empty() && self.buf.capacity() > LARGE_LINE {
                self.buf = Vec::with_capacity(INITIAL_CAPACITY);
            }
            return Ok(false);
        }
        let mut map = MmapMut::map_anon(2 * LARGE_LINE)?;
        map[..self.buf.len()].copy_from_slice(&self.buf);
        self.large = Some(LargeBuf { map, len: self.buf.len(), scanned: self.scanned });
        self.buf = Vec::with_capacity(INITIAL_CAPACITY);
        self.scanned = 0;
        Ok(true)
    }
}

impl LargeBuf {
    /// At least `free` bytes after `len`, doubling the map when it has fewer. Pages are only
    /// touched as data arrives, so the map's size costs address space, not memory.
    fn reserve(&mut self, free: usize) -> std::io::Result<()> {
        if self.map.len() - self.len >= free {
            return Ok(());
        }
        let size = (self.map.len() * 2).max(self.len + free);
        #[cfg(target_os = "linux")]
        {
            // SAFETY: nothing points into the map while the reader fills it (lines are handed
            // out only once complete, and then the map leaves `self`), so it may move.
            unsafe { self.map.remap(size, memmap2::RemapOptions::new().may_move(true)) }
        }
        #[cfg(not(target_os = "linux"))]
        {
            let mut grown = MmapMut::map_anon(size)?;
            grown[..self.len].copy_from_slice(&self.map[..self.len]);
            self.map = grown;
            Ok(())
        }
    }
}

/// The length of `line` without trailing whitespace (`\r` of a CRLF, stray blanks); 0 for a
/// blank line.
pub(crate) fn content_end(line: &[u8]) -> usize {
    line.iter().rposition(|b| !b.is_ascii_whitespace()).map_or(0, |last| last + 1)
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
        let mut take = |line: Line<'_>| {
            // A large line comes with memory of its own that holds exactly it; others without.
            match line.shared {
                Some(shared) => assert!(line.text.len() > LARGE_LINE && shared[..] == *line.text),
                None => assert!(line.text.len() <= LARGE_LINE),
            }
            out.push(line.text.to_vec());
        };
        loop {
            while let Some(line) = reader.next_buffered() {
                take(line);
            }
            if !reader.fill().await.unwrap() {
                break;
            }
        }
        while let Some(line) = reader.next_buffered() {
            take(line);
        }
        writer.await.unwrap();
        out
    }

    #[tokio::test]
    async fn large_lines_back_to_back_blank_and_unterminated() {
        let big = |c: char, n: usize| c.to_string().repeat(n);
        let mut input = format!("{}\r\n{{\"small\":1}}\n{}\n", big('a', 3 * LARGE_LINE), big('b', LARGE_LINE + 7));
        input.push_str(&big(' ', 2 * LARGE_LINE));
        input.push_str("\n\n");
        input.push_str(&big('c', 5 * LARGE_LINE + 1));
        let lines = collect(input.into_bytes()).await;
        let summary: Vec<_> = lines.iter().map(|l| (l[0], l.len())).collect();
        assert_eq!(
            summary,
            vec![(b'a', 3 * LARGE_LINE), (b'{', 11), (b'b', LARGE_LINE + 7), (b'c', 5 * LARGE_LINE + 1)]
        );
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
