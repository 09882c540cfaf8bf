//! Kubernetes resource quantities (`250m`, `2`, `1Gi`, `128974848`, `1e3`) as numbers of
//! the base unit, for sums and percentages.

/// The value of a quantity in base units (cores, bytes), or `None` if it does not parse.
#[must_use]
pub fn parse(raw: &str) -> Option<f64> {
    let raw = raw.trim();
    let split = raw
        .find(|c: char| c.is_ascii_alphabetic() && c != 'e' && c != 'E')
        .unwrap_or(raw.len());
    let (number, suffix) = raw.split_at(split);
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024.0,
        "Mi" => 1024.0_f64.powi(2),
        "Gi" => 1024.0_f64.powi(3),
        "Ti" => 1024.0_f64.powi(4),
        "Pi" => 1024.0_f64.powi(5),
        "Ei" => 1024.0_f64.powi(6),
        _ => return None,
    };
    Some(value * factor)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn parses_decimal_binary_and_exponent_forms() {
        assert_eq!(parse("250m"), Some(0.25));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("1Gi"), Some(1_073_741_824.0));
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("100Ki"), Some(102_400.0));
        assert_eq!(parse("12x"), None);
        assert_eq!(parse(""), None);
    }
}
