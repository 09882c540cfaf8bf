//! A line diff for comparing pod templates of two revisions, shared by the server (which
//! shows a rollback's diff in the API) and the browser (which diffs any two revisions).

use serde::{Deserialize, Serialize};

/// One line of a diff.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", content = "line", rename_all = "lowercase")]
pub enum DiffLine {
    Same(String),
    Removed(String),
    Added(String),
}

/// Longest input the quadratic diff accepts per side; longer texts are compared as
/// "all removed, all added" rather than costing seconds of CPU in a browser.
const MAX_LINES: usize = 4000;

/// Lines of `old` and `new` as kept, removed and added (longest common subsequence).
#[must_use]
pub fn diff_lines(old: &str, new: &str) -> Vec<DiffLine> {
    let a: Vec<&str> = old.lines().collect();
    let b: Vec<&str> = new.lines().collect();
    if a.len() > MAX_LINES || b.len() > MAX_LINES {
        return a
            .iter()
            .map(|l| DiffLine::Removed((*l).to_string()))
            .chain(b.iter().map(|l| DiffLine::Added((*l).to_string())))
            .collect();
    }
    // lcs[i][j] = length of the LCS of a[i..] and b[j..].
    let mut lcs = vec![vec![0u32; b.len() + 1]; a.len() + 1];
    for i in (0..a.len()).rev() {
        for j in (0..b.len()).rev() {
            lcs[i][j] = if a[i] == b[j] {
                lcs[i + 1][j + 1] + 1
            } else {
                lcs[i + 1][j].max(lcs[i][j + 1])
            };
        }
    }
    let (mut i, mut j) = (0, 0);
    let mut out = Vec::with_capacity(a.len().max(b.len()));
    while i < a.len() && j < b.len() {
        if a[i] == b[j] {
            out.push(DiffLine::Same(a[i].to_string()));
            i += 1;
            j += 1;
        } else if lcs[i + 1][j] >= lcs[i][j + 1] {
            out.push(DiffLine::Removed(a[i].to_string()));
            i += 1;
        } else {
            out.push(DiffLine::Added(b[j].to_string()));
            j += 1;
        }
    }
    out.extend(a[i..].iter().map(|l| DiffLine::Removed((*l).to_string())));
    out.extend(b[j..].iter().map(|l| DiffLine::Added((*l).to_string())));
    out
}

/// Whether a diff changes anything.
#[must_use]
pub fn has_changes(diff: &[DiffLine]) -> bool {
    diff.iter().any(|l| !matches!(l, DiffLine::Same(_)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_changed_image_is_one_line_removed_and_one_added() {
        let old = "containers:\n- image: nginx:1.26\n  name: web\n";
        let new = "containers:\n- image: nginx:1.27\n  name: web\n";
        let d = diff_lines(old, new);
        assert_eq!(
            d,
            vec![
                DiffLine::Same("containers:".into()),
                DiffLine::Removed("- image: nginx:1.26".into()),
                DiffLine::Added("- image: nginx:1.27".into()),
                DiffLine::Same("  name: web".into()),
            ]
        );
        assert!(has_changes(&d));
        assert!(!has_changes(&diff_lines(old, old)));
    }
}
