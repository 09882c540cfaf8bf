//! One module per page.

mod admin;
mod audit;
mod clusters;
mod login;
mod nodes;
mod not_found;
mod sections;

pub use admin::AdminPage;
pub use audit::AuditPage;
pub use clusters::ClustersPage;
pub use login::LoginPage;
pub use nodes::NodesPage;
pub use not_found::NotFound;
pub use sections::{RolloutsPage, VirtualMachinesPage, WorkloadsPage};
