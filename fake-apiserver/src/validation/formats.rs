//! String formats (kube-openapi's strfmt registry).

use super::*;

/// Compiles a built-in pattern, with room for the Unicode classes of the hostname one.
pub(super) fn lazy_regex(re: &str) -> Regex {
    RegexBuilder::new(re)
        .size_limit(64 << 20)
        .build()
        .expect("valid built-in regex")
}

/// `strfmt.HostnamePattern`.
pub(super) static HOSTNAME: LazyLock<Regex> = LazyLock::new(|| {
    lazy_regex(
        r"^([a-zA-Z0-9\p{S}\p{L}]((-?[a-zA-Z0-9\p{S}\p{L}]{0,62})?)|([a-zA-Z0-9\p{S}\p{L}](([a-zA-Z0-9\-\p{S}\p{L}]{0,61}[a-zA-Z0-9\p{S}\p{L}])?)(\.)){1,}([a-zA-Z\p{L}]){2,63})$",
    )
});
/// `strfmt.UUIDPattern`.
pub(super) static UUID: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{4}-?[0-9a-f]{12}$"));
/// `strfmt.UUID3Pattern`.
pub(super) static UUID3: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?3[0-9a-f]{3}-?[0-9a-f]{4}-?[0-9a-f]{12}$"));
/// `strfmt.UUID4Pattern`.
pub(super) static UUID4: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?4[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"));
/// `strfmt.UUID5Pattern`.
pub(super) static UUID5: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"(?i)^[0-9a-f]{8}-?[0-9a-f]{4}-?5[0-9a-f]{3}-?[89ab][0-9a-f]{3}-?[0-9a-f]{12}$"));
/// govalidator's credit card pattern.
pub(super) static CREDIT_CARD: LazyLock<Regex> = LazyLock::new(|| {
    lazy_regex(
        r"^(?:4[0-9]{12}(?:[0-9]{3})?|5[1-5][0-9]{14}|6(?:011|5[0-9][0-9])[0-9]{12}|3[47][0-9]{13}|3(?:0[0-5]|[68][0-9])[0-9]{11}|(?:2131|1800|35[0-9]{3})[0-9]{11})$",
    )
});
/// govalidator's hex color pattern.
pub(super) static HEX_COLOR: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^#?([0-9a-fA-F]{3}|[0-9a-fA-F]{6})$"));
/// govalidator's `rgb(r, g, b)` pattern.
pub(super) static RGB_COLOR: LazyLock<Regex> = LazyLock::new(|| {
    let c = r"[\t\n\f\r ]*(0|[1-9][0-9]?|1[0-9][0-9]?|2[0-4][0-9]|25[0-5])[\t\n\f\r ]*";
    lazy_regex(&format!(r"^rgb\({c},{c},{c}\)$"))
});
/// govalidator's base64 pattern (standard alphabet, padded, not empty).
pub(super) static BASE64: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=|[A-Za-z0-9+/]{4})$"));
/// govalidator's social security number pattern.
pub(super) static SSN: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^[0-9]{3}[- ]?[0-9]{2}[- ]?[0-9]{4}$"));
/// strfmt's time part of a date-time (lower-cased).
pub(super) static DATE_TIME: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"^([0-9]{2}):([0-9]{2}):([0-9]{2})(.[0-9]+)?(z|([+-][0-9]{2}:[0-9]{2}))$"));
/// strfmt's fallback duration parts (`3 days`).
pub(super) static DURATION_PART: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"(([0-9]+)[\t\n\f\r ]*([A-Za-zµ]+))"));
/// `k8s-short-name`.
pub(super) static SHORT_NAME: LazyLock<Regex> = LazyLock::new(|| lazy_regex(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?$"));
/// `k8s-long-name`.
pub(super) static LONG_NAME: LazyLock<Regex> =
    LazyLock::new(|| lazy_regex(r"^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$"));

/// Whether `text` is valid for a (normalised) format of the registry.
pub(super) fn format_validates(format: &str, text: &str) -> bool {
    match format {
        "bsonobjectid" => text.len() == 24 && text.bytes().all(|b| b.is_ascii_hexdigit()),
        "uri" => is_request_uri(text),
        "email" => is_email(text),
        "hostname" => HOSTNAME.is_match(text) && text.len() <= 255 && text.split('.').all(|p| p.len() <= 63),
        "ipv4" => parse_ip_sloppy(text).is_some() && text.contains('.'),
        "ipv6" => text.parse::<std::net::IpAddr>().is_ok() && text.contains(':'),
        "cidr" => is_cidr(text),
        "mac" => is_mac(text),
        "uuid" => UUID.is_match(text),
        "uuid3" => UUID3.is_match(text),
        "uuid4" => UUID4.is_match(text),
        "uuid5" => UUID5.is_match(text),
        "isbn" => is_isbn(text, 10) || is_isbn(text, 13),
        "isbn10" => is_isbn(text, 10),
        "isbn13" => is_isbn(text, 13),
        "creditcard" => is_credit_card(text),
        "ssn" => text.len() == 11 && SSN.is_match(text),
        "hexcolor" => HEX_COLOR.is_match(text),
        "rgbcolor" => RGB_COLOR.is_match(text),
        "byte" => BASE64.is_match(text),
        "password" => true,
        "date" => parse_date(text).is_some(),
        "datetime" => is_date_time(text),
        "duration" => parse_duration(text).is_some(),
        "k8sshortname" => text.len() <= 63 && SHORT_NAME.is_match(text),
        "k8slongname" => text.len() <= 253 && LONG_NAME.is_match(text),
        _ => false,
    }
}

/// `time.Parse("2006-01-02", s)`: the days since the epoch.
pub(super) fn parse_date(s: &str) -> Option<i64> {
    let b = s.as_bytes();
    if b.len() != 10 || !s.is_ascii() || b[4] != b'-' || b[7] != b'-' {
        return None;
    }
    let digits = |r: std::ops::Range<usize>| -> Option<i64> {
        let part = &s[r];
        part.bytes().all(|c| c.is_ascii_digit()).then(|| part.parse().ok())?
    };
    let (year, month, day) = (digits(0..4)?, digits(5..7)?, digits(8..10)?);
    let leap = (year % 4 == 0 && year % 100 != 0) || year % 400 == 0;
    let days_in_month = match month {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return None,
    };
    if !(1..=days_in_month).contains(&day) {
        return None;
    }
    // Days from civil (Howard Hinnant's algorithm).
    let y = if month <= 2 { year - 1 } else { year };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let mp = (month + 9) % 12;
    let doy = (153 * mp + 2) / 5 + day - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    Some(era * 146_097 + doe - 719_468)
}

/// `strfmt.IsDateTime`.
pub(super) fn is_date_time(s: &str) -> bool {
    if s.len() < 4 {
        return false;
    }
    let lower = s.to_lowercase();
    let mut parts = lower.split('t');
    let (Some(date), Some(time)) = (parts.next(), parts.next()) else {
        return false;
    };
    if parse_date(date).is_none() {
        return false;
    }
    DATE_TIME
        .captures(time)
        .is_some_and(|m| &m[1] <= "23" && &m[2] <= "59" && &m[3] <= "59")
}

/// Go's `time.ParseDuration`, in nanoseconds.
pub(super) fn go_parse_duration(s: &str) -> Option<i64> {
    let mut s = s.as_bytes();
    let mut neg = false;
    if let Some(&c) = s.first()
        && (c == b'-' || c == b'+')
    {
        neg = c == b'-';
        s = &s[1..];
    }
    if s == b"0" {
        return Some(0);
    }
    if s.is_empty() {
        return None;
    }
    let mut d: u64 = 0;
    while !s.is_empty() {
        if !(s[0] == b'.' || s[0].is_ascii_digit()) {
            return None;
        }
        let start = s.len();
        let mut v: u64 = 0;
        while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
            v = v.checked_mul(10)?.checked_add(u64::from(c - b'0'))?;
            if v > 1 << 63 {
                return None;
            }
            s = &s[1..];
        }
        let pre = start != s.len();
        let (mut f, mut scale, mut post) = (0u64, 1f64, false);
        if s.first() == Some(&b'.') {
            s = &s[1..];
            let start = s.len();
            let mut overflow = false;
            while let Some(&c) = s.first().filter(|c| c.is_ascii_digit()) {
                if !overflow {
                    if f > (1 << 63) / 10 {
                        overflow = true;
                    } else {
                        f = f * 10 + u64::from(c - b'0');
                        scale *= 10.0;
                    }
                }
                s = &s[1..];
            }
            post = start != s.len();
        }
        if !pre && !post {
            return None;
        }
        let unit_len = s.iter().take_while(|c| **c != b'.' && !c.is_ascii_digit()).count();
        if unit_len == 0 {
            return None;
        }
        let unit: u64 = match &s[..unit_len] {
            b"ns" => 1,
            b"us" | b"\xc2\xb5s" | b"\xce\xbcs" => 1_000,
            b"ms" => 1_000_000,
            b"s" => 1_000_000_000,
            b"m" => 60_000_000_000,
            b"h" => 3_600_000_000_000,
            _ => return None,
        };
        s = &s[unit_len..];
        if v > (1 << 63) / unit {
            return None;
        }
        v *= unit;
        if f > 0 {
            v += (f as f64 * (unit as f64 / scale)) as u64;
            if v > 1 << 63 {
                return None;
            }
        }
        d = d.checked_add(v)?;
        if d > 1 << 63 {
            return None;
        }
    }
    if neg {
        return Some((d as i64).wrapping_neg());
    }
    i64::try_from(d).ok()
}

/// `strfmt.ParseDuration`: Go's syntax, else numbers with units such as `3 days`.
pub(super) fn parse_duration(s: &str) -> Option<i64> {
    if let Some(d) = go_parse_duration(s) {
        return Some(d);
    }
    const UNITS: [(&[&str], i64); 8] = [
        (&["ns", "nano"], 1),
        (&["us", "µs", "micro"], 1_000),
        (&["ms", "milli"], 1_000_000),
        (&["s", "sec"], 1_000_000_000),
        (&["m", "min"], 60_000_000_000),
        (&["h", "hr", "hour"], 3_600_000_000_000),
        (&["d", "day"], 86_400_000_000_000),
        (&["w", "wk", "week"], 604_800_000_000_000),
    ];
    let mut dur: i64 = 0;
    let mut ok = false;
    for m in DURATION_PART.captures_iter(s) {
        let factor: i64 = m[2].parse().ok()?;
        let unit = m[3].trim().to_lowercase();
        for (variants, multiplier) in UNITS {
            let last = variants.len() - 1;
            for (i, variant) in variants.iter().enumerate() {
                if (i == last && unit.starts_with(variant)) || variant.eq_ignore_ascii_case(&unit) {
                    ok = true;
                    dur = dur.wrapping_add(factor.wrapping_mul(multiplier));
                }
            }
        }
    }
    ok.then_some(dur)
}

/// The forked `net.ParseIP` of `k8s.io/utils/net`, which allows leading zeros in IPv4.
pub(super) fn parse_ip_sloppy(s: &str) -> Option<std::net::IpAddr> {
    if s.contains(':') {
        return s.parse::<std::net::Ipv6Addr>().ok().map(std::net::IpAddr::V6);
    }
    let mut octets = [0u8; 4];
    let mut parts = s.split('.');
    for octet in &mut octets {
        let part = parts.next()?;
        if part.is_empty() || !part.bytes().all(|b| b.is_ascii_digit()) || part.len() > 6 {
            return None;
        }
        *octet = u8::try_from(part.parse::<u32>().ok()?).ok()?;
    }
    parts.next().is_none().then(|| std::net::IpAddr::from(octets))
}

/// `ParseCIDRSloppy`.
pub(super) fn is_cidr(s: &str) -> bool {
    let Some((addr, prefix)) = s.split_once('/') else {
        return false;
    };
    let bits = if addr.contains(':') { 128 } else { 32 };
    parse_ip_sloppy(addr).is_some()
        && !prefix.is_empty()
        && prefix.len() < 7
        && prefix.bytes().all(|b| b.is_ascii_digit())
        && prefix.parse::<u32>().is_ok_and(|p| p <= bits)
}

/// `net.ParseMAC`.
pub(super) fn is_mac(s: &str) -> bool {
    let b = s.as_bytes();
    if b.len() < 14 {
        return false;
    }
    let hex = |r: &[u8]| r.iter().all(u8::is_ascii_hexdigit);
    if b[2] == b':' || b[2] == b'-' {
        if !(b.len() + 1).is_multiple_of(3) {
            return false;
        }
        let n = (b.len() + 1) / 3;
        matches!(n, 6 | 8 | 20) && (0..n).all(|i| hex(&b[3 * i..3 * i + 2]) && (i == n - 1 || b[3 * i + 2] == b[2]))
    } else if b[4] == b'.' {
        if !(b.len() + 1).is_multiple_of(5) {
            return false;
        }
        let n = 2 * (b.len() + 1) / 5;
        matches!(n, 6 | 8 | 20)
            && (0..n / 2).all(|i| hex(&b[5 * i..5 * i + 4]) && (i == n / 2 - 1 || b[5 * i + 4] == b'.'))
    } else {
        false
    }
}

/// govalidator's `IsISBN`.
pub(super) fn is_isbn(s: &str, version: u32) -> bool {
    let sanitized: Vec<u8> = s
        .bytes()
        .filter(|b| !matches!(b, b'\t' | b'\n' | b'\x0b' | b'\x0c' | b'\r' | b' ' | b'-'))
        .collect();
    let digit = |b: u8| i32::from(b) - i32::from(b'0');
    if version == 10 {
        let ok = sanitized.len() == 10
            && sanitized[..9].iter().all(u8::is_ascii_digit)
            && (sanitized[9].is_ascii_digit() || sanitized[9] == b'X');
        if !ok {
            return false;
        }
        let mut checksum: i32 = (0..9).map(|i| (i as i32 + 1) * digit(sanitized[i])).sum();
        checksum += 10 * if sanitized[9] == b'X' { 10 } else { digit(sanitized[9]) };
        checksum % 11 == 0
    } else {
        if sanitized.len() != 13 || !sanitized.iter().all(u8::is_ascii_digit) {
            return false;
        }
        let checksum: i32 = (0..12).map(|i| [1, 3][i % 2] * digit(sanitized[i])).sum();
        digit(sanitized[12]) - ((10 - (checksum % 10)) % 10) == 0
    }
}

/// govalidator's `IsCreditCard`: the pattern, then Luhn's checksum.
pub(super) fn is_credit_card(s: &str) -> bool {
    let sanitized: String = s.chars().filter(char::is_ascii_digit).collect();
    if !CREDIT_CARD.is_match(&sanitized) {
        return false;
    }
    let mut sum = 0;
    let mut double = false;
    for b in sanitized.bytes().rev() {
        let mut d = u32::from(b - b'0');
        if double {
            d *= 2;
            sum += if d >= 10 { d % 10 + 1 } else { d };
        } else {
            sum += d;
        }
        double = !double;
    }
    sum % 10 == 0
}

/// Close to Go's `url.ParseRequestURI`: an absolute URI or an absolute path.
pub(super) fn is_request_uri(s: &str) -> bool {
    if s.is_empty() || s.bytes().any(|b| b < 0x20 || b == 0x7f) {
        return false;
    }
    if s == "*" {
        return true;
    }
    let mut rest = s;
    let mut scheme = "";
    for (i, c) in s.char_indices() {
        match c {
            'a'..='z' | 'A'..='Z' => {}
            '0'..='9' | '+' | '-' | '.' if i > 0 => {}
            ':' if i == 0 => return false,
            ':' => {
                scheme = &s[..i];
                rest = &s[i + 1..];
                break;
            }
            _ => break,
        }
    }
    if let Some((before, _)) = rest.split_once('?') {
        rest = before;
    }
    if !rest.starts_with('/') {
        return !scheme.is_empty();
    }
    let valid_escapes = |t: &str| {
        let b = t.as_bytes();
        (0..b.len()).all(|i| {
            b[i] != b'%'
                || (i + 2 < b.len() + 1 && b.get(i + 1..i + 3).is_some_and(|h| h.iter().all(u8::is_ascii_hexdigit)))
        })
    };
    if !scheme.is_empty() && rest.starts_with("//") {
        let authority_end = rest[2..].find('/').map_or(rest.len(), |i| i + 2);
        let authority = &rest[2..authority_end];
        let host = authority.rsplit_once('@').map_or(authority, |(_, h)| h);
        let host_ok = if let Some(inner) = host.strip_prefix('[') {
            match inner.split_once(']') {
                Some((_, port)) => {
                    port.is_empty()
                        || port
                            .strip_prefix(':')
                            .is_some_and(|p| p.bytes().all(|b| b.is_ascii_digit()))
                }
                None => false,
            }
        } else {
            let (name, port) = host.rsplit_once(':').unwrap_or((host, ""));
            port.bytes().all(|b| b.is_ascii_digit())
                && name
                    .chars()
                    .all(|c| c.is_alphanumeric() || "-._~!$&'()*+,;=%\"<>".contains(c))
        };
        return host_ok && valid_escapes(host) && valid_escapes(&rest[authority_end..]);
    }
    valid_escapes(rest)
}

/// Close to Go's `mail.ParseAddress`: `local@domain`, optionally as `Name <local@domain>`.
pub(super) fn is_email(s: &str) -> bool {
    let s = s.trim_matches(|c| c == ' ' || c == '\t');
    let addr = match s.strip_suffix('>') {
        Some(inner) => match inner.rfind('<') {
            Some(i) => &inner[i + 1..],
            None => return false,
        },
        None => s,
    };
    let Some((local, domain)) = addr.rsplit_once('@') else {
        return false;
    };
    let atext = |c: char| c.is_alphanumeric() || "!#$%&'*+-/=?^_`{|}~".contains(c) || !c.is_ascii();
    let dot_atom = |t: &str| !t.is_empty() && t.split('.').all(|p| !p.is_empty() && p.chars().all(atext));
    let local_ok = dot_atom(local) || (local.len() >= 2 && local.starts_with('"') && local.ends_with('"'));
    let domain_ok = dot_atom(domain) || (domain.starts_with('[') && domain.ends_with(']'));
    local_ok && domain_ok
}

/// Translates a Go (RE2) pattern to the `regex` crate's syntax, where `\d`, `\w`, `\s` and `\b`
/// are Unicode-aware and `[`, `&&`, `--` and `~~` mean something inside a class, and compiles it
/// (cached).
pub(super) fn go_regex(pattern: &str) -> Result<Regex, String> {
    static CACHE: LazyLock<Mutex<HashMap<String, Result<Regex, String>>>> =
        LazyLock::new(|| Mutex::new(HashMap::new()));
    if let Some(found) = CACHE.lock().ok().and_then(|c| c.get(pattern).cloned()) {
        return found;
    }
    let translated = translate_go_regex(pattern);
    let compiled = RegexBuilder::new(&translated)
        .octal(true)
        .size_limit(64 << 20)
        .build()
        .map_err(|e| go_regex_error(pattern, &e));
    if let Ok(mut cache) = CACHE.lock() {
        if cache.len() > 1024 {
            cache.clear();
        }
        cache.insert(pattern.to_owned(), compiled.clone());
    }
    compiled
}

/// A `regex` crate error in the words of Go's `regexp/syntax` (`error parsing regexp: missing
/// closing ]: `[x``), for the errors Go names alike; others keep the crate's description.
pub(super) fn go_regex_error(pattern: &str, e: &regex::Error) -> String {
    let text = e.to_string();
    let kind = text.lines().last().unwrap_or_default().trim_start_matches("error: ");
    // The caret line under the (single-line) pattern gives the offending span.
    let span = text.lines().find(|l| l.trim_start().starts_with('^')).map(|l| {
        let start = l.len() - l.trim_start().len();
        (start.saturating_sub(4), l.trim().len())
    });
    let from_span = |to_end: bool| {
        span.and_then(|(start, len)| {
            let chars: Vec<char> = pattern.chars().collect();
            let end = if to_end {
                chars.len()
            } else {
                (start + len).min(chars.len())
            };
            (start < chars.len()).then(|| chars[start..end].iter().collect::<String>())
        })
        .unwrap_or_else(|| pattern.to_owned())
    };
    let (code, fragment) = match kind {
        "unclosed character class" => ("missing closing ]", from_span(true)),
        "unclosed group" => ("missing closing )", pattern.to_owned()),
        "unopened group" => ("unexpected )", pattern.to_owned()),
        "repetition operator missing expression" => ("missing argument to repetition operator", from_span(false)),
        "unrecognized escape sequence" | "incomplete escape sequence, reached end of pattern prematurely" => {
            ("invalid escape sequence", from_span(false))
        }
        "invalid character class range, the start must be <= the end" => {
            ("invalid character class range", from_span(false))
        }
        "invalid repetition count range, the start must be <= the end"
        | "repetition quantifier expects a valid decimal" => ("invalid repeat count", from_span(false)),
        other => (other, pattern.to_owned()),
    };
    format!("error parsing regexp: {code}: `{fragment}`")
}

/// Rewrites Go regexp syntax for the `regex` crate (see [`go_regex`]).
pub(super) fn translate_go_regex(pattern: &str) -> String {
    let chars: Vec<char> = pattern.chars().collect();
    let mut out = String::with_capacity(pattern.len() + 8);
    let mut i = 0;
    let mut in_class = false;
    let mut class_start = false;
    while i < chars.len() {
        let c = chars[i];
        if c == '\\' && i + 1 < chars.len() {
            let e = chars[i + 1];
            i += 2;
            match e {
                'd' => out.push_str("[0-9]"),
                'D' => out.push_str("[^0-9]"),
                'w' => out.push_str("[0-9A-Za-z_]"),
                'W' => out.push_str("[^0-9A-Za-z_]"),
                's' => out.push_str(r"[\t\n\f\r ]"),
                'S' => out.push_str(r"[^\t\n\f\r ]"),
                'b' if !in_class => out.push_str(r"(?-u:\b)"),
                'B' if !in_class => out.push_str(r"(?-u:\B)"),
                'Q' if !in_class => {
                    let mut literal = String::new();
                    while i < chars.len() && !(chars[i] == '\\' && chars.get(i + 1) == Some(&'E')) {
                        literal.push(chars[i]);
                        i += 1;
                    }
                    i = (i + 2).min(chars.len());
                    out.push_str(&regex::escape(&literal));
                }
                _ => {
                    out.push('\\');
                    out.push(e);
                }
            }
            class_start = false;
            continue;
        }
        if in_class {
            match c {
                ']' if !class_start => in_class = false,
                ']' => {
                    out.push_str("\\]");
                    i += 1;
                    class_start = false;
                    continue;
                }
                '[' if chars.get(i + 1) == Some(&':') => {
                    // A POSIX class: copied through.
                    if let Some(end) =
                        (i + 2..chars.len().saturating_sub(1)).find(|&j| chars[j] == ':' && chars[j + 1] == ']')
                    {
                        out.extend(&chars[i..end + 2]);
                        i = end + 2;
                        class_start = false;
                        continue;
                    }
                    out.push_str("\\[");
                    i += 1;
                    class_start = false;
                    continue;
                }
                '[' | '&' | '~' => {
                    out.push('\\');
                    out.push(c);
                    i += 1;
                    class_start = false;
                    continue;
                }
                '-' if out.ends_with('-') => {
                    out.push_str("\\-");
                    i += 1;
                    class_start = false;
                    continue;
                }
                _ => {}
            }
            out.push(c);
            class_start = false;
            i += 1;
            continue;
        }
        out.push(c);
        if c == '[' {
            in_class = true;
            class_start = true;
            if chars.get(i + 1) == Some(&'^') {
                out.push('^');
                i += 1;
            }
        }
        i += 1;
    }
    out
}
