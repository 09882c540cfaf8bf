//! The one table of kinds Bosun lists and acts on. The server authorizes, routes, watches
//! and acts from it; the browser draws its filters and buttons from it. Adding a kind is a
//! row here plus whatever is genuinely new about it (a status shape, a restart method).

use std::fmt;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Action;

/// A kind Bosun knows. Serialised as the path segment Bosun's REST API uses for it
/// (`deployments`, `advancedstatefulsets`), so JSON bodies and URLs spell kinds alike.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum KindId {
    #[serde(rename = "deployments")]
    Deployment,
    #[serde(rename = "statefulsets")]
    StatefulSet,
    #[serde(rename = "daemonsets")]
    DaemonSet,
    #[serde(rename = "jobs")]
    Job,
    #[serde(rename = "cronjobs")]
    CronJob,
    #[serde(rename = "clonesets")]
    CloneSet,
    #[serde(rename = "advancedstatefulsets")]
    AdvancedStatefulSet,
    #[serde(rename = "advanceddaemonsets")]
    AdvancedDaemonSet,
    #[serde(rename = "broadcastjobs")]
    BroadcastJob,
    #[serde(rename = "advancedcronjobs")]
    AdvancedCronJob,
    #[serde(rename = "pods")]
    Pod,
    #[serde(rename = "rollouts")]
    Rollout,
    #[serde(rename = "virtualmachines")]
    VirtualMachine,
    #[serde(rename = "virtualmachineinstances")]
    VirtualMachineInstance,
    #[serde(rename = "nodes")]
    Node,
    #[serde(rename = "namespaces")]
    Namespace,
    #[serde(rename = "services")]
    Service,
    #[serde(rename = "ingresses")]
    Ingress,
    #[serde(rename = "endpoints")]
    Endpoints,
    #[serde(rename = "endpointslices")]
    EndpointSlice,
    #[serde(rename = "networkpolicies")]
    NetworkPolicy,
    #[serde(rename = "persistentvolumes")]
    PersistentVolume,
    #[serde(rename = "persistentvolumeclaims")]
    PersistentVolumeClaim,
    #[serde(rename = "storageclasses")]
    StorageClass,
    #[serde(rename = "configmaps")]
    ConfigMap,
    #[serde(rename = "secrets")]
    Secret,
    #[serde(rename = "resourcequotas")]
    ResourceQuota,
    #[serde(rename = "limitranges")]
    LimitRange,
    #[serde(rename = "poddisruptionbudgets")]
    PodDisruptionBudget,
    #[serde(rename = "serviceaccounts")]
    ServiceAccount,
    #[serde(rename = "roles")]
    Role,
    #[serde(rename = "rolebindings")]
    RoleBinding,
    #[serde(rename = "clusterroles")]
    ClusterRole,
    #[serde(rename = "clusterrolebindings")]
    ClusterRoleBinding,
    #[serde(rename = "events")]
    Event,
}

/// What a kind is to the console: which page lists it.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum Category {
    Workload,
    Pod,
    /// OpenKruise Rollouts: the Rollouts page.
    Rollout,
    /// KubeVirt virtual machines: the Virtual machines page.
    VirtualMachine,
    /// Cluster nodes: the Nodes page.
    Node,
    /// Namespaces, listed with what they hold.
    Namespace,
    /// Services, Ingresses, Endpoints, NetworkPolicies.
    Network,
    /// Volumes, claims and storage classes.
    Storage,
    /// ConfigMaps, Secrets, quotas, limit ranges, disruption budgets.
    Config,
    /// Service accounts, roles and their bindings.
    Access,
    /// Watched only to describe another kind (a VM's running instance); never listed on
    /// a page of its own.
    Companion,
    /// Events: the Events page, and every object's Events tab.
    Event,
}

impl Category {
    /// The kinds without actions of their own, listed on the Resources pages.
    #[must_use]
    pub fn is_resource(self) -> bool {
        matches!(
            self,
            Category::Namespace
                | Category::Network
                | Category::Storage
                | Category::Config
                | Category::Access
        )
    }

    /// The heading a Resources page groups the kind under.
    #[must_use]
    pub fn title(self) -> &'static str {
        match self {
            Category::Workload => "Workloads",
            Category::Pod => "Pods",
            Category::Rollout => "Rollouts",
            Category::VirtualMachine => "Virtual machines",
            Category::Node | Category::Namespace => "Cluster",
            Category::Network => "Network",
            Category::Storage => "Storage",
            Category::Config => "Config",
            Category::Access => "Access control",
            Category::Event => "Events",
            Category::Companion => "",
        }
    }
}

/// The API family a kind belongs to. Optional families are discovered per cluster: a
/// kind whose family the cluster does not serve is neither watched nor offered.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum ApiFamily {
    /// Built into every Kubernetes cluster.
    Kubernetes,
    /// OpenKruise (`apps.kruise.io`).
    OpenKruise,
    /// OpenKruise Rollout (`rollouts.kruise.io`).
    KruiseRollout,
    /// KubeVirt (`kubevirt.io`).
    KubeVirt,
}

/// Where a kind's revision history is kept.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RevisionSource {
    /// Deployments: one ReplicaSet per pod template.
    ReplicaSets,
    /// StatefulSets, DaemonSets and their OpenKruise counterparts.
    ControllerRevisions,
    /// No history (jobs, pods).
    None,
}

/// The patch format a rollback sends, as the reference tool for the kind does.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum PatchFormat {
    Json,
    Merge,
    StrategicMerge,
}

/// How `restart` is done, exactly as the reference tool for the kind does it
/// (`../shared/REFERENCE.md`).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum RestartMethod {
    /// `kubectl rollout restart`: the pod template's `kubectl.kubernetes.io/restartedAt`
    /// annotation, sent as a patch of this format (strategic for built-in kinds; merge for
    /// custom resources, which refuse strategic merge patches).
    TemplateAnnotation(PatchFormat),
    /// `kubectl-kruise rollout restart`: `RESTARTED_AT` on every container, then a PUT of
    /// the whole object with the resourceVersion that was read (retried on 409).
    ContainerEnv,
    /// Run-to-completion kinds: "restarting is not supported".
    NotSupported,
}

/// Which fields hold a kind's desired and ready counts and its health.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum StatusShape {
    /// `spec.replicas` with `status.{replicas,updatedReplicas,readyReplicas,availableReplicas}`.
    Replicas,
    /// `status.{desiredNumberScheduled,updatedNumberScheduled,numberReady,numberAvailable}`.
    DaemonSet,
    /// `spec.completions` with `status.{active,succeeded,failed}` and Complete/Failed conditions.
    Job,
    /// `status.{desired,active,succeeded,failed,phase}` of an OpenKruise BroadcastJob.
    BroadcastJob,
    /// A schedule: suspended or not, active runs, last schedule time.
    Schedule,
    /// A pod's phase and container statuses.
    Pod,
    /// A node's Ready condition and `spec.unschedulable`.
    Node,
    /// `status.phase` of a Rollout, `status.printableStatus` of a virtual machine: read
    /// by their own pages.
    Phase,
    /// No health of its own: the kind's summary columns say what there is to say.
    Summary,
}

/// Everything Bosun knows about one kind.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct KindInfo {
    pub id: KindId,
    pub category: Category,
    /// The API's kind name (`StatefulSet` for both the built-in and the Advanced one).
    pub kind: &'static str,
    /// What people call it in the console.
    pub label: &'static str,
    pub group: &'static str,
    /// Served versions, preferred first; discovery picks the first one a cluster serves.
    pub versions: &'static [&'static str],
    /// The API's plural (`statefulsets` for both StatefulSets).
    pub plural: &'static str,
    /// Lives in a namespace; cluster-scoped kinds (nodes) have none, so their references
    /// carry an empty namespace and their pages no namespace picker.
    pub namespaced: bool,
    /// A CustomResourceDefinition: refuses strategic merge patches.
    pub custom: bool,
    pub family: ApiFamily,
    /// Has the `/scale` subresource.
    pub scale: bool,
    pub revisions: RevisionSource,
    /// How a rollback is sent (meaningful only when `revisions` is not `None`).
    pub rollback_patch: PatchFormat,
    pub restart: RestartMethod,
    pub shape: StatusShape,
    /// Where `suspend` lives for kinds that can be suspended (`/spec/suspend`, `/spec/paused`).
    pub suspend_field: Option<&'static str>,
    /// Where the pod template is, as JSON pointers tried in order (AdvancedCronJobs hold a
    /// Job or a BroadcastJob template); empty for pods.
    pub pod_template: &'static [&'static str],
    /// Whether the kind reports a progress deadline (Deployments); others get the
    /// console-side deadline when a restart is followed.
    pub progress_deadline: bool,
    /// The actions that apply, in the order buttons are drawn.
    pub actions: &'static [Action],
}

const APPS: &str = "apps";
const BATCH: &str = "batch";
const KRUISE: &str = "apps.kruise.io";

const ROLLING: &[Action] = &[
    Action::Restart,
    Action::Scale,
    Action::Rollback,
    Action::Delete,
];
const DAEMON: &[Action] = &[Action::Restart, Action::Rollback, Action::Delete];
const RUN_ONCE: &[Action] = &[Action::Delete];
const SCHEDULED: &[Action] = &[
    Action::RunNow,
    Action::Suspend,
    Action::Resume,
    Action::Delete,
];
const KRUISE_SCHEDULED: &[Action] = &[Action::Suspend, Action::Resume, Action::Delete];
const POD: &[Action] = &[Action::PodDelete];
const ROLLOUT: &[Action] = &[
    Action::RolloutApprove,
    Action::RolloutPause,
    Action::RolloutResume,
    Action::RolloutUndo,
    Action::RolloutRestart,
];
const NODE: &[Action] = &[
    Action::NodeCordon,
    Action::NodeUncordon,
    Action::NodeDrain,
    Action::NodeTaint,
];
const VIRTUAL_MACHINE: &[Action] = &[
    Action::VmStart,
    Action::VmStop,
    Action::VmForceStop,
    Action::VmRestart,
    Action::VmForceRestart,
    Action::VmPause,
    Action::VmUnpause,
];

const TEMPLATE: &[&str] = &["/spec/template"];
const JOB_TEMPLATE: &[&str] = &["/spec/jobTemplate/spec/template"];
const KRUISE_JOB_TEMPLATE: &[&str] = &[
    "/spec/template/jobTemplate/spec/template",
    "/spec/template/broadcastJobTemplate/spec/template",
];
const NO_TEMPLATE: &[&str] = &[];

/// Every kind, in the order the console lists them.
pub static KINDS: &[KindInfo] = &[
    KindInfo {
        id: KindId::Deployment,
        category: Category::Workload,
        kind: "Deployment",
        label: "Deployment",
        group: APPS,
        versions: &["v1"],
        plural: "deployments",
        namespaced: true,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: true,
        revisions: RevisionSource::ReplicaSets,
        rollback_patch: PatchFormat::Json,
        restart: RestartMethod::TemplateAnnotation(PatchFormat::StrategicMerge),
        shape: StatusShape::Replicas,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: true,
        actions: ROLLING,
    },
    KindInfo {
        id: KindId::StatefulSet,
        category: Category::Workload,
        kind: "StatefulSet",
        label: "StatefulSet",
        group: APPS,
        versions: &["v1"],
        plural: "statefulsets",
        namespaced: true,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: true,
        revisions: RevisionSource::ControllerRevisions,
        rollback_patch: PatchFormat::StrategicMerge,
        restart: RestartMethod::TemplateAnnotation(PatchFormat::StrategicMerge),
        shape: StatusShape::Replicas,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: ROLLING,
    },
    KindInfo {
        id: KindId::DaemonSet,
        category: Category::Workload,
        kind: "DaemonSet",
        label: "DaemonSet",
        group: APPS,
        versions: &["v1"],
        plural: "daemonsets",
        namespaced: true,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: false,
        revisions: RevisionSource::ControllerRevisions,
        rollback_patch: PatchFormat::StrategicMerge,
        restart: RestartMethod::TemplateAnnotation(PatchFormat::StrategicMerge),
        shape: StatusShape::DaemonSet,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: DAEMON,
    },
    KindInfo {
        id: KindId::Job,
        category: Category::Workload,
        kind: "Job",
        label: "Job",
        group: BATCH,
        versions: &["v1"],
        plural: "jobs",
        namespaced: true,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Job,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: RUN_ONCE,
    },
    KindInfo {
        id: KindId::CronJob,
        category: Category::Workload,
        kind: "CronJob",
        label: "CronJob",
        group: BATCH,
        versions: &["v1"],
        plural: "cronjobs",
        namespaced: true,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Schedule,
        suspend_field: Some("/spec/suspend"),
        pod_template: JOB_TEMPLATE,
        progress_deadline: false,
        actions: SCHEDULED,
    },
    KindInfo {
        id: KindId::CloneSet,
        category: Category::Workload,
        kind: "CloneSet",
        label: "CloneSet",
        group: KRUISE,
        versions: &["v1alpha1"],
        plural: "clonesets",
        namespaced: true,
        custom: true,
        family: ApiFamily::OpenKruise,
        scale: true,
        revisions: RevisionSource::ControllerRevisions,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::ContainerEnv,
        shape: StatusShape::Replicas,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: ROLLING,
    },
    KindInfo {
        id: KindId::AdvancedStatefulSet,
        category: Category::Workload,
        kind: "StatefulSet",
        label: "Advanced StatefulSet",
        group: KRUISE,
        versions: &["v1beta1", "v1alpha1"],
        plural: "statefulsets",
        namespaced: true,
        custom: true,
        family: ApiFamily::OpenKruise,
        scale: true,
        revisions: RevisionSource::ControllerRevisions,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::ContainerEnv,
        shape: StatusShape::Replicas,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: ROLLING,
    },
    KindInfo {
        id: KindId::AdvancedDaemonSet,
        category: Category::Workload,
        kind: "DaemonSet",
        label: "Advanced DaemonSet",
        group: KRUISE,
        versions: &["v1alpha1"],
        plural: "daemonsets",
        namespaced: true,
        custom: true,
        family: ApiFamily::OpenKruise,
        scale: false,
        revisions: RevisionSource::ControllerRevisions,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::TemplateAnnotation(PatchFormat::Merge),
        shape: StatusShape::DaemonSet,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: DAEMON,
    },
    KindInfo {
        id: KindId::BroadcastJob,
        category: Category::Workload,
        kind: "BroadcastJob",
        label: "BroadcastJob",
        group: KRUISE,
        versions: &["v1alpha1"],
        plural: "broadcastjobs",
        namespaced: true,
        custom: true,
        family: ApiFamily::OpenKruise,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::BroadcastJob,
        suspend_field: None,
        pod_template: TEMPLATE,
        progress_deadline: false,
        actions: RUN_ONCE,
    },
    KindInfo {
        id: KindId::AdvancedCronJob,
        category: Category::Workload,
        kind: "AdvancedCronJob",
        label: "AdvancedCronJob",
        group: KRUISE,
        versions: &["v1alpha1"],
        plural: "advancedcronjobs",
        namespaced: true,
        custom: true,
        family: ApiFamily::OpenKruise,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Schedule,
        suspend_field: Some("/spec/paused"),
        pod_template: KRUISE_JOB_TEMPLATE,
        progress_deadline: false,
        actions: KRUISE_SCHEDULED,
    },
    KindInfo {
        id: KindId::Pod,
        category: Category::Pod,
        kind: "Pod",
        label: "Pod",
        group: "",
        versions: &["v1"],
        plural: "pods",
        namespaced: true,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Pod,
        suspend_field: None,
        pod_template: NO_TEMPLATE,
        progress_deadline: false,
        actions: POD,
    },
    KindInfo {
        id: KindId::Rollout,
        category: Category::Rollout,
        kind: "Rollout",
        label: "Rollout",
        group: "rollouts.kruise.io",
        versions: &["v1beta1", "v1alpha1"],
        plural: "rollouts",
        namespaced: true,
        custom: true,
        family: ApiFamily::KruiseRollout,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Phase,
        suspend_field: None,
        pod_template: NO_TEMPLATE,
        progress_deadline: false,
        actions: ROLLOUT,
    },
    KindInfo {
        id: KindId::VirtualMachine,
        category: Category::VirtualMachine,
        kind: "VirtualMachine",
        label: "Virtual machine",
        group: "kubevirt.io",
        versions: &["v1"],
        plural: "virtualmachines",
        namespaced: true,
        custom: true,
        family: ApiFamily::KubeVirt,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Phase,
        suspend_field: None,
        pod_template: NO_TEMPLATE,
        progress_deadline: false,
        actions: VIRTUAL_MACHINE,
    },
    KindInfo {
        id: KindId::VirtualMachineInstance,
        category: Category::Companion,
        kind: "VirtualMachineInstance",
        label: "Virtual machine instance",
        group: "kubevirt.io",
        versions: &["v1"],
        plural: "virtualmachineinstances",
        namespaced: true,
        custom: true,
        family: ApiFamily::KubeVirt,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Phase,
        suspend_field: None,
        pod_template: NO_TEMPLATE,
        progress_deadline: false,
        actions: &[],
    },
    KindInfo {
        id: KindId::Node,
        category: Category::Node,
        kind: "Node",
        label: "Node",
        group: "",
        versions: &["v1"],
        plural: "nodes",
        namespaced: false,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Node,
        suspend_field: None,
        pod_template: NO_TEMPLATE,
        progress_deadline: false,
        actions: NODE,
    },
    with_actions(
        resource(
            KindId::Namespace,
            Category::Namespace,
            "Namespace",
            "",
            "namespaces",
            false,
        ),
        &[Action::NamespaceCreate, Action::Delete],
    ),
    resource(
        KindId::Service,
        Category::Network,
        "Service",
        "",
        "services",
        true,
    ),
    resource(
        KindId::Ingress,
        Category::Network,
        "Ingress",
        NETWORKING,
        "ingresses",
        true,
    ),
    resource(
        KindId::Endpoints,
        Category::Network,
        "Endpoints",
        "",
        "endpoints",
        true,
    ),
    resource(
        KindId::EndpointSlice,
        Category::Network,
        "EndpointSlice",
        DISCOVERY,
        "endpointslices",
        true,
    ),
    resource(
        KindId::NetworkPolicy,
        Category::Network,
        "NetworkPolicy",
        NETWORKING,
        "networkpolicies",
        true,
    ),
    resource(
        KindId::PersistentVolume,
        Category::Storage,
        "PersistentVolume",
        "",
        "persistentvolumes",
        false,
    ),
    resource(
        KindId::PersistentVolumeClaim,
        Category::Storage,
        "PersistentVolumeClaim",
        "",
        "persistentvolumeclaims",
        true,
    ),
    resource(
        KindId::StorageClass,
        Category::Storage,
        "StorageClass",
        STORAGE,
        "storageclasses",
        false,
    ),
    resource(
        KindId::ConfigMap,
        Category::Config,
        "ConfigMap",
        "",
        "configmaps",
        true,
    ),
    resource(
        KindId::Secret,
        Category::Config,
        "Secret",
        "",
        "secrets",
        true,
    ),
    resource(
        KindId::ResourceQuota,
        Category::Config,
        "ResourceQuota",
        "",
        "resourcequotas",
        true,
    ),
    resource(
        KindId::LimitRange,
        Category::Config,
        "LimitRange",
        "",
        "limitranges",
        true,
    ),
    resource(
        KindId::PodDisruptionBudget,
        Category::Config,
        "PodDisruptionBudget",
        "policy",
        "poddisruptionbudgets",
        true,
    ),
    resource(
        KindId::ServiceAccount,
        Category::Access,
        "ServiceAccount",
        "",
        "serviceaccounts",
        true,
    ),
    resource(KindId::Role, Category::Access, "Role", RBAC, "roles", true),
    resource(
        KindId::RoleBinding,
        Category::Access,
        "RoleBinding",
        RBAC,
        "rolebindings",
        true,
    ),
    resource(
        KindId::ClusterRole,
        Category::Access,
        "ClusterRole",
        RBAC,
        "clusterroles",
        false,
    ),
    resource(
        KindId::ClusterRoleBinding,
        Category::Access,
        "ClusterRoleBinding",
        RBAC,
        "clusterrolebindings",
        false,
    ),
    with_actions(
        resource(KindId::Event, Category::Event, "Event", "", "events", true),
        &[],
    ),
];

const NETWORKING: &str = "networking.k8s.io";
const DISCOVERY: &str = "discovery.k8s.io";
const STORAGE: &str = "storage.k8s.io";
const RBAC: &str = "rbac.authorization.k8s.io";
/// What can be done to a kind that is listed, read and edited but has no verbs of its own.
const RESOURCE: &[Action] = &[Action::Delete];

const fn with_actions(mut info: KindInfo, actions: &'static [Action]) -> KindInfo {
    info.actions = actions;
    info
}

/// A built-in kind at `v1` with no workload behaviour: a row of the Resources pages.
const fn resource(
    id: KindId,
    category: Category,
    kind: &'static str,
    group: &'static str,
    plural: &'static str,
    namespaced: bool,
) -> KindInfo {
    KindInfo {
        id,
        category,
        kind,
        label: kind,
        group,
        versions: &["v1"],
        plural,
        namespaced,
        custom: false,
        family: ApiFamily::Kubernetes,
        scale: false,
        revisions: RevisionSource::None,
        rollback_patch: PatchFormat::Merge,
        restart: RestartMethod::NotSupported,
        shape: StatusShape::Summary,
        suspend_field: None,
        pod_template: NO_TEMPLATE,
        progress_deadline: false,
        actions: RESOURCE,
    }
}

impl KindId {
    /// Every workload kind, in table order.
    pub fn workloads() -> impl Iterator<Item = KindId> {
        KINDS
            .iter()
            .filter(|k| k.category == Category::Workload)
            .map(|k| k.id)
    }

    /// Every kind of the Resources pages (network, storage, config, access, namespaces),
    /// in table order.
    pub fn resources() -> impl Iterator<Item = KindId> {
        KINDS
            .iter()
            .filter(|k| k.category.is_resource())
            .map(|k| k.id)
    }

    /// Whether the kind is watched only once someone looks at it. Pages of workloads,
    /// pods and nodes must answer at once and are watched from the start; the Resources
    /// kinds are many and rarely all looked at, and a service account that may not list
    /// one of them (secrets, often) then fails only where that kind is asked for.
    #[must_use]
    pub fn watched_on_demand(self) -> bool {
        (self.info().category.is_resource() && self != KindId::Namespace) || self == KindId::Event
    }

    /// This kind's row of the table.
    #[must_use]
    pub fn info(self) -> &'static KindInfo {
        KINDS
            .iter()
            .find(|k| k.id == self)
            .expect("every KindId has a row in KINDS")
    }

    /// The path segment of Bosun's REST API (`advancedstatefulsets`).
    #[must_use]
    pub fn route(self) -> &'static str {
        match self {
            KindId::Deployment => "deployments",
            KindId::StatefulSet => "statefulsets",
            KindId::DaemonSet => "daemonsets",
            KindId::Job => "jobs",
            KindId::CronJob => "cronjobs",
            KindId::CloneSet => "clonesets",
            KindId::AdvancedStatefulSet => "advancedstatefulsets",
            KindId::AdvancedDaemonSet => "advanceddaemonsets",
            KindId::BroadcastJob => "broadcastjobs",
            KindId::AdvancedCronJob => "advancedcronjobs",
            KindId::Pod => "pods",
            KindId::Rollout => "rollouts",
            KindId::VirtualMachine => "virtualmachines",
            KindId::VirtualMachineInstance => "virtualmachineinstances",
            KindId::Node => "nodes",
            KindId::Namespace => "namespaces",
            KindId::Service => "services",
            KindId::Ingress => "ingresses",
            KindId::Endpoints => "endpoints",
            KindId::EndpointSlice => "endpointslices",
            KindId::NetworkPolicy => "networkpolicies",
            KindId::PersistentVolume => "persistentvolumes",
            KindId::PersistentVolumeClaim => "persistentvolumeclaims",
            KindId::StorageClass => "storageclasses",
            KindId::ConfigMap => "configmaps",
            KindId::Secret => "secrets",
            KindId::ResourceQuota => "resourcequotas",
            KindId::LimitRange => "limitranges",
            KindId::PodDisruptionBudget => "poddisruptionbudgets",
            KindId::ServiceAccount => "serviceaccounts",
            KindId::Role => "roles",
            KindId::RoleBinding => "rolebindings",
            KindId::ClusterRole => "clusterroles",
            KindId::ClusterRoleBinding => "clusterrolebindings",
            KindId::Event => "events",
        }
    }

    /// The workload kind of an API group and kind name (a rollout's `workloadRef`):
    /// `apps.kruise.io` + `StatefulSet` is the Advanced StatefulSet.
    #[must_use]
    pub fn workload_of(group: &str, kind: &str) -> Option<KindId> {
        KINDS
            .iter()
            .find(|k| k.category == Category::Workload && k.group == group && k.kind == kind)
            .map(|k| k.id)
    }

    /// Whether `action` applies to this kind.
    #[must_use]
    pub fn supports(self, action: Action) -> bool {
        self.info().allows(action)
    }
}

impl KindInfo {
    /// Whether `action` applies to this kind: listed on its row, or applying to every kind.
    #[must_use]
    pub fn allows(&self, action: Action) -> bool {
        self.actions.contains(&action) || action.applies_to_every_kind()
    }

    /// Why `action` does not apply to this kind, in the words of the reference tool where
    /// it has some; `None` when it applies.
    #[must_use]
    pub fn refusal(&self, action: Action) -> Option<String> {
        if self.allows(action) {
            return None;
        }
        let what = format!("{}.{}", self.plural, self.group);
        let what = what.trim_end_matches('.');
        Some(match action {
            Action::Restart => format!("{what}: restarting is not supported"),
            Action::Scale => format!(
                "{}: scaling is not supported ({} have no /scale subresource)",
                what,
                self.id.route()
            ),
            Action::Rollback => {
                format!("{what}: rolling back is not supported (no revision history)")
            }
            Action::Suspend | Action::Resume => {
                format!("{what}: only CronJobs and AdvancedCronJobs can be suspended or resumed")
            }
            Action::RunNow => format!("{what}: only CronJobs can be run now"),
            Action::PodDelete => format!("{what}: only pods can be deleted as pods"),
            Action::Delete => format!("{what}: use the pod actions to delete a pod"),
            Action::RolloutApprove
            | Action::RolloutPause
            | Action::RolloutResume
            | Action::RolloutUndo
            | Action::RolloutRestart => format!("{what}: only rollouts take rollout actions"),
            Action::VmStart
            | Action::VmStop
            | Action::VmForceStop
            | Action::VmRestart
            | Action::VmForceRestart
            | Action::VmPause
            | Action::VmUnpause => format!("{what}: only virtual machines take VM actions"),
            Action::NodeCordon | Action::NodeUncordon | Action::NodeDrain | Action::NodeTaint => {
                format!("{what}: only nodes can be cordoned, drained or tainted")
            }
            other => format!("{what}: {} does not apply to this kind", other.name()),
        })
    }
}

impl fmt::Display for KindId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.route())
    }
}

/// A kind name that is not in the table.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unsupported kind {0:?}: expected one of {list}", list = known_kinds())]
pub struct UnknownKind(pub String);

fn known_kinds() -> String {
    KINDS
        .iter()
        .filter(|k| k.category != Category::Companion)
        .map(|k| k.id.route())
        .collect::<Vec<_>>()
        .join(", ")
}

impl FromStr for KindId {
    type Err = UnknownKind;

    /// Accepts Bosun's plural (`deployments`), and for convenience the singular or the
    /// Kruise Dashboard's type name (`deployment`, `cloneset`), case-insensitively.
    fn from_str(raw: &str) -> Result<Self, Self::Err> {
        let lower = raw.trim().to_ascii_lowercase();
        KINDS
            .iter()
            .find(|k| {
                let route = k.id.route();
                lower == route
                    || Some(lower.as_str()) == route.strip_suffix('s')
                    || lower == k.kind.to_ascii_lowercase()
            })
            .map(|k| k.id)
            .ok_or_else(|| UnknownKind(raw.to_string()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_kind_has_one_row_and_round_trips_through_its_route() {
        for info in KINDS {
            assert_eq!(info.id.info(), info);
            assert_eq!(info.id.route().parse::<KindId>(), Ok(info.id));
            let json = serde_json::to_string(&info.id).unwrap();
            assert_eq!(json, format!("{:?}", info.id.route()));
        }
        assert_eq!("CloneSet".parse::<KindId>(), Ok(KindId::CloneSet));
        assert!("replicasets".parse::<KindId>().is_err());
    }

    #[test]
    fn the_table_says_which_actions_apply() {
        assert!(KindId::Deployment.supports(Action::Scale));
        assert!(!KindId::DaemonSet.supports(Action::Scale));
        assert!(!KindId::Job.supports(Action::Restart));
        let refusal = KindId::Job.info().refusal(Action::Restart).unwrap();
        assert_eq!(refusal, "jobs.batch: restarting is not supported");
        assert!(KindId::CronJob.supports(Action::RunNow));
        assert_eq!(
            KindId::Deployment.info().restart,
            RestartMethod::TemplateAnnotation(PatchFormat::StrategicMerge)
        );
        assert_eq!(KindId::CloneSet.info().restart, RestartMethod::ContainerEnv);
        assert!(KindId::Rollout.supports(Action::RolloutApprove));
        assert!(KindId::VirtualMachine.supports(Action::VmForceRestart));
        assert_eq!(
            KindId::workload_of("apps.kruise.io", "StatefulSet"),
            Some(KindId::AdvancedStatefulSet)
        );
        assert_eq!(KindId::workload_of("", "Pod"), None);
    }
}
