//! Keeping the client secret out of messages, whatever a server echoes.
//!
//! The rule: server text is examined whole, before it is cut to length, and
//! is not quoted at all ("withheld") when it contains any 8 consecutive
//! characters of the secret, compared without regard to case and after
//! undoing HTML (`&lt;`, `&#34;`, `&#x22;`), JSON (`\"`, `\u0041`) and URL
//! (`%41`) escaping. A secret shorter than 8 characters only counts as a
//! whole word (between characters that are not letters or digits): a short
//! secret is never blanked inside other words, which would reveal where its
//! characters occur. Our own parts of a message (URL, client id) get the same
//! rule through `Error::redacted`.

use std::collections::HashSet;

/// Fragments of the secret this long or longer are never shown.
pub const WINDOW: usize = 8;

const WITHHELD: &str = "[server text withheld: it echoes the client secret]";

/// Server text made safe to quote: withheld if it echoes the secret, else
/// at most `max_chars` characters without control characters.
pub fn quote_server_text(text: &str, secret: &str, max_chars: usize) -> String {
    if echoes_secret(text, secret) {
        WITHHELD.to_owned()
    } else {
        crate::error::quote(text, max_chars)
    }
}

/// Whether `text` shows the secret or an 8-character piece of it, in any
/// case or escaping (see the module's rule).
pub fn echoes_secret(text: &str, secret: &str) -> bool {
    let secret: Vec<char> = fold(secret).chars().collect();
    if secret.is_empty() {
        return false;
    }
    let once = unescape(text);
    let forms = [fold(text), fold(&once), fold(&unescape(&once))];
    if secret.len() < WINDOW {
        let secret: String = secret.iter().collect();
        return forms.iter().any(|form| has_word(form, &secret));
    }
    let mut windows = HashSet::new();
    for form in &forms {
        let chars: Vec<char> = form.chars().collect();
        for window in chars.windows(WINDOW) {
            windows.insert(window.to_vec());
        }
    }
    secret.windows(WINDOW).any(|w| windows.contains(w))
}

fn fold(text: &str) -> String {
    text.to_lowercase()
}

/// `word` occurs in `text` with no letter or digit on either side.
fn has_word(text: &str, word: &str) -> bool {
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    text.match_indices(word).any(|(at, _)| {
        !is_word_char(text[..at].chars().next_back())
            && !is_word_char(text[at + word.len()..].chars().next())
    })
}

/// One layer of HTML, JSON and URL escaping undone, leniently: anything
/// that is not a valid escape is kept as it is.
fn unescape(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    let mut rest = text;
    while let Some(c) = rest.chars().next() {
        let (decoded, used) = match c {
            '&' => html_entity(rest),
            '\\' => json_escape(rest),
            '%' => percent(rest),
            _ => (None, 0),
        };
        match decoded {
            Some(d) => {
                out.push(d);
                rest = &rest[used..];
            }
            None => {
                out.push(c);
                rest = &rest[c.len_utf8()..];
            }
        }
    }
    out
}

fn html_entity(s: &str) -> (Option<char>, usize) {
    let Some(end) = s.get(..12).unwrap_or(s).find(';') else {
        return (None, 0);
    };
    let name = &s[1..end];
    let c = match name {
        "lt" => Some('<'),
        "gt" => Some('>'),
        "amp" => Some('&'),
        "quot" => Some('"'),
        "apos" => Some('\''),
        _ => name.strip_prefix('#').and_then(|n| {
            let code = match n.strip_prefix(['x', 'X']) {
                Some(hex) => u32::from_str_radix(hex, 16).ok(),
                None => n.parse().ok(),
            };
            code.and_then(char::from_u32)
        }),
    };
    (c, end + 1)
}

fn json_escape(s: &str) -> (Option<char>, usize) {
    let c = match s.as_bytes().get(1) {
        Some(b'"') => '"',
        Some(b'\\') => '\\',
        Some(b'/') => '/',
        Some(b'n') => '\n',
        Some(b't') => '\t',
        Some(b'r') => '\r',
        Some(b'u') => {
            let code = s.get(2..6).and_then(|h| u32::from_str_radix(h, 16).ok());
            return (code.and_then(char::from_u32), 6);
        }
        _ => return (None, 0),
    };
    (Some(c), 2)
}

fn percent(s: &str) -> (Option<char>, usize) {
    let byte = s.get(1..3).and_then(|h| u8::from_str_radix(h, 16).ok());
    (byte.filter(u8::is_ascii).map(char::from), 3)
}

/// Replaces the whole-word occurrences of `secret` in `text` (exact or
/// ASCII case-insensitive) with `[redacted]`.
pub fn replace_secret(text: &str, secret: &str) -> String {
    let lower_text = text.to_ascii_lowercase();
    let lower_secret = secret.to_ascii_lowercase();
    let is_word_char = |c: Option<char>| c.is_some_and(char::is_alphanumeric);
    let mut out = String::with_capacity(text.len());
    let mut copied = 0;
    for (at, _) in lower_text.match_indices(&lower_secret) {
        let end = at + secret.len();
        let whole_word = !is_word_char(text[..at].chars().next_back())
            && !is_word_char(text[end..].chars().next());
        if at < copied || (secret.chars().count() < WINDOW && !whole_word) {
            continue;
        }
        out.push_str(&text[copied..at]);
        out.push_str("[redacted]");
        copied = end;
    }
    out.push_str(&text[copied..]);
    out
}

/// Hostile echoes of a secret, for the tests of every protocol's messages.
#[cfg(test)]
pub(crate) mod hostile {
    /// Echoes of `secret` a server might send back: cut across the quoting
    /// limit, upper-cased, HTML-escaped, JSON-escaped, and a JSON-escaped
    /// prefix cut across the limit.
    pub fn echoes(secret: &str) -> Vec<String> {
        let escaped = serde_json::to_string(secret).unwrap();
        let html = secret
            .replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('"', "&quot;");
        vec![
            format!("{}{secret}", "x".repeat(296)),
            secret.to_uppercase(),
            html,
            escaped.clone(),
            format!("{}{}", "y".repeat(290), &escaped[..20]),
        ]
    }

    /// Fails if `message` holds any `WINDOW` characters of `secret` (any
    /// case) or a control character.
    pub fn assert_no_piece(secret: &str, message: &str) {
        let lower = message.to_lowercase();
        let chars: Vec<char> = secret.to_lowercase().chars().collect();
        for window in chars.windows(super::WINDOW) {
            let piece: String = window.iter().collect();
            assert!(!lower.contains(&piece), "{piece} in {message}");
        }
        assert!(!message.chars().any(char::is_control), "{message:?}");
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const SECRET: &str = "Sup3r\"S3cret&<Value>/0123456789";

    /// Every 8-character piece of the secret, for "no prefix or fragment".
    fn shows_a_fragment(message: &str) -> bool {
        let message = message.to_lowercase();
        let secret: Vec<char> = SECRET.to_lowercase().chars().collect();
        secret
            .windows(WINDOW)
            .any(|w| message.contains(&w.iter().collect::<String>()))
    }

    fn html_escaped(s: &str) -> String {
        s.replace('&', "&amp;")
            .replace('<', "&lt;")
            .replace('>', "&gt;")
            .replace('"', "&#34;")
    }

    #[test]
    fn hostile_echoes_are_never_quoted() {
        let json_escaped = serde_json::to_string(SECRET).unwrap();
        let echoes = [
            format!("{}{SECRET}", "x".repeat(295)), // crosses the 300 cut
            format!("{}{SECRET}", "x".repeat(299)),
            SECRET.to_uppercase(),
            format!("bad secret {}", html_escaped(SECRET)),
            format!("bad secret {json_escaped}"),
            format!("bad secret {}", html_escaped(&json_escaped)),
            format!("bad secret {}", &SECRET[..12]), // a prefix alone
            format!("bad secret {}", &SECRET[10..20].to_uppercase()),
            SECRET.replace('S', "%53"),
        ];
        for echo in echoes {
            let quoted = quote_server_text(&echo, SECRET, 300);
            assert!(!shows_a_fragment(&quoted), "{echo} -> {quoted}");
            assert_eq!(quoted, WITHHELD, "{echo}");
        }
        assert_eq!(
            quote_server_text("Unauthorized", SECRET, 300),
            "Unauthorized"
        );
    }

    #[test]
    fn a_short_secret_counts_only_as_a_whole_word() {
        assert!(!echoes_secret("requestToken failed", "e"));
        assert!(echoes_secret("the secret 'E' is wrong", "e"));
        assert_eq!(
            replace_secret("https://x/v1/requestToken: e", "e"),
            "https://x/v1/requestToken: [redacted]"
        );
        assert_eq!(
            replace_secret(
                "echo s3cr3t-long-value and S3CR3T-LONG-VALUE",
                "s3cr3t-long-value"
            ),
            "echo [redacted] and [redacted]"
        );
    }
}
