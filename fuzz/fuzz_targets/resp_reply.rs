//! A Redis server's reply (RESP2; hostile over a network): never panics,
//! takes no more bytes than it was given, and a reply arriving in pieces is
//! read the same: every prefix either asks for more bytes or already gives
//! exactly what the whole gives (the connection parses after each read).
#![no_main]
use libfuzzer_sys::fuzz_target;

/// resp.rs's longest line: the outcome changes around it.
const MAX_LINE: usize = 4 * 1024;

fuzz_target!(|data: &[u8]| {
    let whole = mcauth::fuzzing::resp_reply(data);
    let used = match &whole {
        Ok(Some((_, used))) => {
            assert!(
                (1..=data.len()).contains(used),
                "{used} of {} bytes",
                data.len()
            );
            *used
        }
        _ => data.len(),
    };
    // Every prefix of a short input; of a long one (all would be quadratic),
    // those around where the outcome can change: the first line's end, the
    // line limit, the reply's end and the input's.
    let line_end = data.windows(2).position(|pair| pair == b"\r\n");
    let near = |end: usize, at: usize| end + 3 > at && end < at + 3;
    for end in 0..data.len() {
        let checked = data.len() <= 64
            || near(end, line_end.map_or(0, |at| at + 2))
            || near(end, MAX_LINE)
            || near(end, used)
            || near(end, data.len());
        if checked {
            match mcauth::fuzzing::resp_reply(&data[..end]) {
                Ok(None) => {}
                partial => assert_eq!(partial, whole, "the first {end} of {} bytes", data.len()),
            }
        }
    }
});
