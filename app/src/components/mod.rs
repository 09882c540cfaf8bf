//! Building blocks shared by pages.

mod error_box;
mod shell;

pub use error_box::ErrorBox;
pub use shell::Shell;
