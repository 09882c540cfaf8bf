//! The one table of served kinds. Discovery, routing, storage, tables and OpenAPI all read
//! it, so adding a kind is one entry here rather than a handler per kind.

/// Storage identity of a resource: (group, plural). Versions of a group share storage.
pub type Res = (&'static str, &'static str);

/// How a kind is served.
#[derive(Debug)]
pub struct KindDef {
    pub group: &'static str,
    pub version: &'static str,
    pub kind: &'static str,
    pub plural: &'static str,
    pub singular: &'static str,
    pub short_names: &'static [&'static str],
    pub namespaced: bool,
    pub subresources: &'static [&'static str],
    pub categories: &'static [&'static str],
    /// Custom resources reject strategic merge patches (415), as CRDs do.
    pub custom: bool,
    /// Read-only computed kinds (metrics) and create-only reviews are not stored.
    pub virtual_kind: bool,
}

impl KindDef {
    /// Storage key shared by every served version of the kind.
    pub fn res(&self) -> Res {
        (self.group, self.plural)
    }

    /// `apiVersion` string for objects served at this version.
    pub fn api_version(&self) -> String {
        if self.group.is_empty() {
            self.version.to_string()
        } else {
            format!("{}/{}", self.group, self.version)
        }
    }

    /// Whether main-resource writes must leave `.status` alone.
    pub fn has_status(&self) -> bool {
        self.subresources.contains(&"status")
    }
}

// A positional constructor keeps each table row on one line, which is the point of the table.
#[allow(clippy::too_many_arguments)]
const fn k(
    group: &'static str,
    version: &'static str,
    kind: &'static str,
    plural: &'static str,
    singular: &'static str,
    short_names: &'static [&'static str],
    namespaced: bool,
    subresources: &'static [&'static str],
) -> KindDef {
    KindDef {
        group,
        version,
        kind,
        plural,
        singular,
        short_names,
        namespaced,
        subresources,
        categories: &[],
        custom: false,
        virtual_kind: false,
    }
}

const fn all(mut d: KindDef) -> KindDef {
    d.categories = &["all"];
    d
}

const fn cr(mut d: KindDef) -> KindDef {
    d.custom = true;
    d
}

const fn virt(mut d: KindDef) -> KindDef {
    d.virtual_kind = true;
    d
}

const KRUISE: &str = "apps.kruise.io";
const ROLLOUTS: &str = "rollouts.kruise.io";
const KUBEVIRT: &str = "kubevirt.io";
/// A family Bosun's own kind table does not know: the console reads it generically.
pub const CERT_MANAGER: &str = "cert-manager.io";
const STATUS: &[&str] = &["status"];
const SCALE_STATUS: &[&str] = &["scale", "status"];

/// Every served kind, in discovery order.
#[rustfmt::skip]
pub static KINDS: &[KindDef] = &[
    k("", "v1", "Namespace", "namespaces", "namespace", &["ns"], false, &["status", "finalize"]),
    k("", "v1", "Node", "nodes", "node", &["no"], false, STATUS),
    all(k("", "v1", "Pod", "pods", "pod", &["po"], true, &["status", "log", "eviction"])),
    all(k("", "v1", "Service", "services", "service", &["svc"], true, STATUS)),
    k("", "v1", "Endpoints", "endpoints", "endpoints", &["ep"], true, &[]),
    k("", "v1", "ConfigMap", "configmaps", "configmap", &["cm"], true, &[]),
    k("", "v1", "Secret", "secrets", "secret", &[], true, &[]),
    k("", "v1", "ServiceAccount", "serviceaccounts", "serviceaccount", &["sa"], true, &[]),
    k("", "v1", "PersistentVolume", "persistentvolumes", "persistentvolume", &["pv"], false, STATUS),
    k("", "v1", "PersistentVolumeClaim", "persistentvolumeclaims", "persistentvolumeclaim", &["pvc"], true, STATUS),
    k("", "v1", "Event", "events", "event", &["ev"], true, &[]),
    k("", "v1", "ResourceQuota", "resourcequotas", "resourcequota", &["quota"], true, STATUS),
    k("", "v1", "LimitRange", "limitranges", "limitrange", &["limits"], true, &[]),
    all(k("apps", "v1", "Deployment", "deployments", "deployment", &["deploy"], true, SCALE_STATUS)),
    all(k("apps", "v1", "ReplicaSet", "replicasets", "replicaset", &["rs"], true, SCALE_STATUS)),
    all(k("apps", "v1", "StatefulSet", "statefulsets", "statefulset", &["sts"], true, SCALE_STATUS)),
    all(k("apps", "v1", "DaemonSet", "daemonsets", "daemonset", &["ds"], true, STATUS)),
    k("apps", "v1", "ControllerRevision", "controllerrevisions", "controllerrevision", &[], true, &[]),
    all(k("batch", "v1", "Job", "jobs", "job", &[], true, STATUS)),
    all(k("batch", "v1", "CronJob", "cronjobs", "cronjob", &["cj"], true, STATUS)),
    k("discovery.k8s.io", "v1", "EndpointSlice", "endpointslices", "endpointslice", &[], true, &[]),
    k("networking.k8s.io", "v1", "Ingress", "ingresses", "ingress", &["ing"], true, STATUS),
    k("networking.k8s.io", "v1", "NetworkPolicy", "networkpolicies", "networkpolicy", &["netpol"], true, &[]),
    k("storage.k8s.io", "v1", "StorageClass", "storageclasses", "storageclass", &["sc"], false, &[]),
    k("rbac.authorization.k8s.io", "v1", "Role", "roles", "role", &[], true, &[]),
    k("rbac.authorization.k8s.io", "v1", "RoleBinding", "rolebindings", "rolebinding", &[], true, &[]),
    k("rbac.authorization.k8s.io", "v1", "ClusterRole", "clusterroles", "clusterrole", &[], false, &[]),
    k("rbac.authorization.k8s.io", "v1", "ClusterRoleBinding", "clusterrolebindings", "clusterrolebinding", &[], false, &[]),
    k("policy", "v1", "PodDisruptionBudget", "poddisruptionbudgets", "poddisruptionbudget", &["pdb"], true, STATUS),
    k("apiextensions.k8s.io", "v1", "CustomResourceDefinition", "customresourcedefinitions", "customresourcedefinition", &["crd", "crds"], false, STATUS),
    cr(all(k(KRUISE, "v1alpha1", "CloneSet", "clonesets", "cloneset", &["clone"], true, SCALE_STATUS))),
    cr(all(k(KRUISE, "v1beta1", "StatefulSet", "statefulsets", "statefulset", &["asts"], true, SCALE_STATUS))),
    cr(k(KRUISE, "v1alpha1", "DaemonSet", "daemonsets", "daemonset", &["daemon", "ads"], true, STATUS)),
    cr(k(KRUISE, "v1alpha1", "BroadcastJob", "broadcastjobs", "broadcastjob", &["bcj"], true, STATUS)),
    cr(k(KRUISE, "v1alpha1", "AdvancedCronJob", "advancedcronjobs", "advancedcronjob", &["acj"], true, STATUS)),
    cr(k(ROLLOUTS, "v1beta1", "Rollout", "rollouts", "rollout", &["ro"], true, STATUS)),
    cr(k(ROLLOUTS, "v1alpha1", "Rollout", "rollouts", "rollout", &["ro"], true, STATUS)),
    cr(all(k(KUBEVIRT, "v1", "VirtualMachine", "virtualmachines", "virtualmachine", &["vm", "vms"], true, STATUS))),
    cr(all(k(KUBEVIRT, "v1", "VirtualMachineInstance", "virtualmachineinstances", "virtualmachineinstance", &["vmi", "vmis"], true, &[]))),
    cr(k(CERT_MANAGER, "v1", "Certificate", "certificates", "certificate", &["cert", "certs"], true, STATUS)),
    cr(k(CERT_MANAGER, "v1", "Issuer", "issuers", "issuer", &[], true, STATUS)),
    cr(k(CERT_MANAGER, "v1", "ClusterIssuer", "clusterissuers", "clusterissuer", &[], false, STATUS)),
    virt(k("metrics.k8s.io", "v1beta1", "NodeMetrics", "nodes", "", &[], false, &[])),
    virt(k("metrics.k8s.io", "v1beta1", "PodMetrics", "pods", "", &[], true, &[])),
    virt(k("authorization.k8s.io", "v1", "SelfSubjectAccessReview", "selfsubjectaccessreviews", "", &[], false, &[])),
];

/// Aggregated kubevirt lifecycle subresources live in their own group with no kinds.
pub const KUBEVIRT_SUBRESOURCES_GROUP: &str = "subresources.kubevirt.io";

/// The (resource, subresource) pairs served in `KUBEVIRT_SUBRESOURCES_GROUP` (all `PUT`,
/// verb `update`): discovery lists them and routing accepts only them.
pub const KUBEVIRT_SUBRESOURCES: &[(&str, &str)] = &[
    ("virtualmachines", "start"),
    ("virtualmachines", "stop"),
    ("virtualmachines", "restart"),
    ("virtualmachineinstances", "pause"),
    ("virtualmachineinstances", "unpause"),
];

/// Looks a kind up by the (group, version, plural) of a request path.
pub fn find(group: &str, version: &str, plural: &str) -> Option<&'static KindDef> {
    KINDS
        .iter()
        .find(|d| d.group == group && d.version == version && d.plural == plural)
}

/// The storage (first listed) definition of a resource.
pub fn storage_def(res: Res) -> Option<&'static KindDef> {
    KINDS.iter().find(|d| d.res() == res)
}

/// All served (group, version) pairs, in table order, without duplicates.
pub fn group_versions() -> Vec<(&'static str, &'static str)> {
    let mut out: Vec<(&'static str, &'static str)> = Vec::new();
    for d in KINDS {
        if !out.contains(&(d.group, d.version)) {
            out.push((d.group, d.version));
        }
    }
    out.push((KUBEVIRT_SUBRESOURCES_GROUP, "v1"));
    out
}

/// Verbs advertised in discovery.
pub fn verbs(d: &KindDef) -> &'static [&'static str] {
    if d.plural == "selfsubjectaccessreviews" {
        &["create"]
    } else if d.virtual_kind {
        &["get", "list"]
    } else {
        &[
            "create",
            "delete",
            "deletecollection",
            "get",
            "list",
            "patch",
            "update",
            "watch",
        ]
    }
}

pub mod res {
    //! Storage keys used by the controllers.
    use super::Res;
    pub const NAMESPACES: Res = ("", "namespaces");
    pub const NODES: Res = ("", "nodes");
    pub const PODS: Res = ("", "pods");
    pub const EVENTS: Res = ("", "events");
    pub const DEPLOYMENTS: Res = ("apps", "deployments");
    pub const REPLICASETS: Res = ("apps", "replicasets");
    pub const STATEFULSETS: Res = ("apps", "statefulsets");
    pub const DAEMONSETS: Res = ("apps", "daemonsets");
    pub const CONTROLLER_REVISIONS: Res = ("apps", "controllerrevisions");
    pub const JOBS: Res = ("batch", "jobs");
    pub const CRONJOBS: Res = ("batch", "cronjobs");
    pub const PDBS: Res = ("policy", "poddisruptionbudgets");
    pub const CLUSTER_ROLES: Res = ("rbac.authorization.k8s.io", "clusterroles");
    pub const CLUSTER_ROLE_BINDINGS: Res = ("rbac.authorization.k8s.io", "clusterrolebindings");
    pub const ROLES: Res = ("rbac.authorization.k8s.io", "roles");
    pub const ROLE_BINDINGS: Res = ("rbac.authorization.k8s.io", "rolebindings");
    pub const CLONESETS: Res = ("apps.kruise.io", "clonesets");
    pub const KRUISE_STATEFULSETS: Res = ("apps.kruise.io", "statefulsets");
    pub const KRUISE_DAEMONSETS: Res = ("apps.kruise.io", "daemonsets");
    pub const BROADCAST_JOBS: Res = ("apps.kruise.io", "broadcastjobs");
    pub const ADVANCED_CRON_JOBS: Res = ("apps.kruise.io", "advancedcronjobs");
    pub const ROLLOUTS: Res = ("rollouts.kruise.io", "rollouts");
    pub const VMS: Res = ("kubevirt.io", "virtualmachines");
    pub const VMIS: Res = ("kubevirt.io", "virtualmachineinstances");
}
