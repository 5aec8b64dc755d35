//! Reads a text file, decompressing it first when it is gzip (by its magic
//! bytes, not its name): the corpora are read either way.

use std::io::Read;
use std::path::Path;

/// The file's text; errors name the file.
pub fn read(path: &Path) -> anyhow::Result<String> {
    let mut raw = Vec::new();
    std::fs::File::open(path)
        .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?
        .read_to_end(&mut raw)?;
    if raw.starts_with(&[0x1f, 0x8b]) {
        let mut s = String::new();
        flate2::read::MultiGzDecoder::new(&raw[..])
            .read_to_string(&mut s)
            .map_err(|e| anyhow::anyhow!("{}: {e}", path.display()))?;
        Ok(s)
    } else {
        String::from_utf8(raw).map_err(|e| anyhow::anyhow!("{}: not UTF-8: {e}", path.display()))
    }
}
