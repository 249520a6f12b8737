//! Writing a zip file to a disk that may fill up: the first write error is the one reported,
//! in the system's own kind (so that it reads 磁盘空间不足, not a library's English), and the
//! zip writer's own attempt to finish the archive when it is dropped after that error goes
//! nowhere instead of printing English on standard error.

use std::io::{Seek, SeekFrom, Write};

/// A writer that, once a write has failed, takes every later write and seek without doing
/// it (keeping the position they would have reached, which the zip writer checks).
pub struct StopAfterError<W> {
    inner: W,
    failed: bool,
    /// Where the writer is, and the furthest it has been.
    pos: u64,
    end: u64,
}

impl<W> StopAfterError<W> {
    pub fn new(inner: W) -> Self {
        Self {
            inner,
            failed: false,
            pos: 0,
            end: 0,
        }
    }

    /// The writer, or the error when a write failed (even one the caller did not see).
    pub fn into_inner(self) -> std::io::Result<W> {
        if self.failed {
            return Err(std::io::Error::other("写入中断"));
        }
        Ok(self.inner)
    }

    /// Latches a failure, except an interruption the caller retries.
    fn failing(&mut self, e: &std::io::Error) {
        if e.kind() != std::io::ErrorKind::Interrupted {
            self.failed = true;
        }
    }

    fn moved_to(&mut self, pos: u64) -> u64 {
        self.pos = pos;
        self.end = self.end.max(pos);
        pos
    }
}

impl<W: Write> Write for StopAfterError<W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let n = if self.failed {
            buf.len()
        } else {
            self.inner.write(buf).inspect_err(|e| self.failing(e))?
        };
        self.moved_to(self.pos + n as u64);
        Ok(n)
    }

    fn flush(&mut self) -> std::io::Result<()> {
        if self.failed {
            return Ok(());
        }
        self.inner.flush().inspect_err(|e| self.failing(e))
    }
}

impl<W: Seek> Seek for StopAfterError<W> {
    fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
        if !self.failed {
            let at = self.inner.seek(pos).inspect_err(|e| self.failing(e))?;
            return Ok(self.moved_to(at));
        }
        let at = match pos {
            SeekFrom::Start(at) => Some(at),
            SeekFrom::Current(by) => self.pos.checked_add_signed(by),
            SeekFrom::End(by) => self.end.checked_add_signed(by),
        };
        let at = at.ok_or_else(|| std::io::Error::from(std::io::ErrorKind::InvalidInput))?;
        Ok(self.moved_to(at))
    }
}

/// A zip error as the I/O error under it, where there is one.
#[must_use]
pub fn io_error(e: zip::result::ZipError) -> std::io::Error {
    match e {
        zip::result::ZipError::Io(e) => e,
        other => std::io::Error::other(other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Takes `room` bytes, then says the disk is full.
    struct Full {
        room: usize,
        data: std::io::Cursor<Vec<u8>>,
    }

    impl Write for Full {
        fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
            if self.data.get_ref().len() + buf.len() > self.room {
                return Err(std::io::ErrorKind::StorageFull.into());
            }
            self.data.write(buf)
        }
        fn flush(&mut self) -> std::io::Result<()> {
            Ok(())
        }
    }

    impl Seek for Full {
        fn seek(&mut self, pos: SeekFrom) -> std::io::Result<u64> {
            self.data.seek(pos)
        }
    }

    #[test]
    fn a_full_disk_is_reported_as_such_once() {
        let full = Full {
            room: 200,
            data: std::io::Cursor::new(Vec::new()),
        };
        let mut zip = zip::ZipWriter::new(StopAfterError::new(full));
        let stored = zip::write::SimpleFileOptions::default()
            .compression_method(zip::CompressionMethod::Stored);
        zip.start_file("a", stored)
            .map_err(io_error)
            .expect("room for the header");
        let written = zip
            .write_all(&[7; 4096])
            .and_then(|()| zip.finish().map(|_| ()).map_err(io_error));
        let e = written.expect_err("no room");
        assert_eq!(e.kind(), std::io::ErrorKind::StorageFull);
        // Dropped after the error: nothing printed, nothing panics (the writer takes it).
    }
}
