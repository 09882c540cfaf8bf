//! Building blocks shared by pages.

mod dialog;
mod diff;
mod error_box;
mod health;
mod progress;
mod shell;
mod toast;

pub use dialog::{ActionDialog, Done, Pending};
pub use diff::DiffView;
pub use error_box::ErrorBox;
pub use health::HealthBadge;
pub use progress::RolloutProgress;
pub use shell::Shell;
pub use toast::{ToastStack, Toasts, provide_toasts, use_toasts};
