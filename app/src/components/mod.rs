//! Building blocks shared by pages.

mod dialog;
mod diff;
mod error_box;
mod health;
mod limits_form;
mod live;
mod operation;
mod pin;
mod progress;
mod scope_fields;
mod shell;
mod toast;
mod token_table;
mod usage_chart;
mod yaml_editor;

pub use dialog::{ActionDialog, Done, Pending};
pub use diff::DiffView;
pub use error_box::ErrorBox;
pub use health::HealthBadge;
pub use limits_form::{LimitRangeForm, QuotaForm, is_quantity, quota_yaml};
pub use live::{LiveRefresh, follow};
pub use operation::OperationProgress;
pub use pin::{PinButton, Pins};
pub use progress::RolloutProgress;
pub use scope_fields::{ClusterSelect, ScopeFields};
pub use shell::Shell;
pub use toast::{ToastStack, Toasts, provide_toasts, use_toasts};
pub use token_table::TokenTable;
pub use usage_chart::{NodeUsageCharts, PodUsageCharts};
pub use yaml_editor::{
    ApplyResults, SkipSchemaCheck, YamlEditor, YamlView, failed_line, use_yaml_check,
};
