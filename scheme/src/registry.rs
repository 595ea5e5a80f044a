//! Self-registration: types registered at compile time that [`Scheme::add_registered`] picks up
//! without a hand-written list (Go's `AddToScheme`, through the `inventory` crate).

use crate::Scheme;
use crate::error::Result;

/// One type's registration, submitted by `#[derive(Kind)]` or [`register!`](crate::register).
pub struct Registration {
    pub(crate) register: fn(&mut Scheme) -> Result<()>,
}

impl Registration {
    /// A registration that runs `register` on the scheme being built.
    pub const fn new(register: fn(&mut Scheme) -> Result<()>) -> Self {
        Registration { register }
    }
}

inventory::collect!(Registration);

/// Registers types so that [`Scheme::with_builtins`] and [`Scheme::add_registered`] find them;
/// for kube-derive `CustomResource` types (`#[derive(Kind)]` types register themselves).
///
/// ```
/// # use kube::CustomResource;
/// # use serde::{Deserialize, Serialize};
/// # use schemars::JsonSchema;
/// #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "example.com", version = "v1", kind = "Gadget", namespaced)]
/// pub struct GadgetSpec { size: u32 }
///
/// kube_scheme::register!(Gadget);
///
/// let scheme = kube_scheme::Scheme::with_builtins();
/// assert!(scheme.gvk_for::<Gadget>().is_ok());
/// ```
#[macro_export]
macro_rules! register {
    ($($ty:ty),+ $(,)?) => {
        $(
            $crate::__private::inventory::submit! {
                $crate::Registration::new(|scheme| scheme.register::<$ty>().map(|_| ()))
            }
        )+
    };
}

/// Registers types' GroupVersionKind, plural and scope like [`register!`](crate::register), but
/// without a decoder ([`Scheme::register_kind`]): it instantiates nothing per type, so a crate
/// with hundreds of CRD bindings pays no compile time for it. kube-informer-gen's generated code
/// uses it; [`Scheme::decode`] needs [`Scheme::register`] for the type.
///
/// ```
/// # use kube::CustomResource;
/// # use serde::{Deserialize, Serialize};
/// # use schemars::JsonSchema;
/// #[derive(CustomResource, Clone, Debug, Serialize, Deserialize, JsonSchema)]
/// #[kube(group = "example.com", version = "v1", kind = "Sprocket", namespaced)]
/// pub struct SprocketSpec { size: u32 }
///
/// kube_scheme::register_kind!(Sprocket);
///
/// let mut scheme = kube_scheme::Scheme::with_builtins();
/// assert!(scheme.gvk_for::<Sprocket>().is_ok());
/// let json = br#"{"apiVersion":"example.com/v1","kind":"Sprocket","metadata":{"name":"s"},"spec":{"size":1}}"#;
/// assert!(matches!(scheme.decode(json), Err(kube_scheme::SchemeError::NoDecoder { .. })));
/// scheme.register::<Sprocket>()?;
/// assert!(scheme.decode(json).is_ok());
/// # Ok::<(), kube_scheme::SchemeError>(())
/// ```
#[macro_export]
macro_rules! register_kind {
    ($($ty:ty),+ $(,)?) => {
        $(
            $crate::__private::inventory::submit! {
                $crate::Registration::new(|scheme| scheme.register_kind::<$ty>().map(|_| ()))
            }
        )+
    };
}
