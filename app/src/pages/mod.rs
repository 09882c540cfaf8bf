//! One module per page (and the pieces a page is made of).

mod admin;
pub mod audit;
mod batch;
mod cluster_form;
mod clusters;
mod login;
mod nodes;
mod not_found;
mod object_actions;
mod pod_list;
pub mod pods;
mod quick;
mod revisions;
mod rollout_detail;
pub mod rollouts;
mod vm_detail;
pub mod vms;
pub mod workload_detail;
pub mod workload_table;
pub mod workloads;

pub use admin::AdminPage;
pub use audit::AuditPage;
pub use clusters::ClustersPage;
pub use login::LoginPage;
pub use nodes::NodesPage;
pub use not_found::NotFound;
pub use pod_list::PodListPage;
pub use pods::PodPage;
pub use quick::QuickActionsPage;
pub use rollout_detail::RolloutDetailPage;
pub use rollouts::RolloutsPage;
pub use vm_detail::VmDetailPage;
pub use vms::VirtualMachinesPage;
pub use workload_detail::WorkloadDetailPage;
pub use workloads::WorkloadsPage;
