//! One module per page.

mod admin;
mod audit;
mod clusters;
mod login;
mod not_found;
mod sections;

pub use admin::AdminPage;
pub use audit::AuditPage;
pub use login::LoginPage;
pub use not_found::NotFound;
pub use clusters::ClustersPage;
pub use sections::{NodesPage, RolloutsPage, VirtualMachinesPage, WorkloadsPage};
