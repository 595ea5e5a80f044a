//! Emits the typed factory, group and version accessors, informers and listers with `quote!`.
//! The code is thin: the runtime's generics do the work; this is wrappers and names.

use std::collections::BTreeMap;

use proc_macro2::TokenStream;
use quote::{format_ident, quote};

use crate::ident;
use crate::model::Resource;

fn path(p: &str) -> TokenStream {
    let path: syn::Path = syn::parse_str(p).expect("resource paths are validated");
    if p.starts_with("crate::") {
        quote!(#path)
    } else {
        quote!(::#path)
    }
}

/// `#[cfg(...)]` for a resource compiled under predicates, else nothing.
fn cfg(r: &Resource) -> TokenStream {
    let predicates: Vec<TokenStream> = r
        .cfg
        .iter()
        .map(|p| p.parse().expect("cfg predicates come from parsed source"))
        .collect();
    match predicates.as_slice() {
        [] => TokenStream::new(),
        [one] => quote!(#[cfg(#one)]),
        many => quote!(#[cfg(all(#(#many),*))]),
    }
}

/// Emits one file for `resources` (sorted and validated by the caller).
///
/// Per kind it emits an accessor method and two type aliases of the runtime's generic types
/// (`TypedInformer<K>`, `Lister<K>`), so nothing per kind is monomorphised until used, and no
/// two kinds' names can collide (`X` beside `XNamespace`). Scope-dependent methods come from
/// the type's own scope at compile time.
pub fn emit(resources: &[Resource]) -> TokenStream {
    // group → version → resources
    let mut tree: BTreeMap<&str, BTreeMap<&str, Vec<&Resource>>> = BTreeMap::new();
    for r in resources {
        tree.entry(&r.group).or_default().entry(&r.version).or_default().push(r);
    }
    let group_accessors = tree.keys().map(|group| {
        let module = ident::group(group);
        let doc = if group.is_empty() {
            "The core API group (`v1`).".to_owned()
        } else {
            format!("The `{group}` API group.")
        };
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn #module(&self) -> #module::Group<'_> {
                #module::Group::new(&self.factory)
            }
        }
    });
    let groups = tree.iter().map(|(group, versions)| emit_group(group, versions));
    let table = resources.iter().map(|r| {
        let (g, v, k, p, ns) = (&r.group, &r.version, &r.kind, &r.plural, r.namespaced);
        let cfg = cfg(r);
        quote! {
            #cfg
            ResourceInfo { group: #g, version: #v, kind: #k, plural: #p, namespaced: #ns }
        }
    });
    let registrations = resources.iter().filter(|r| r.register).map(|r| {
        let ty = path(&r.path);
        let cfg = cfg(r);
        quote! {
            #cfg
            ::kube_informer::__private::register_kind!(#ty);
            #cfg
            ::kube_informer::__private::impl_object_kind!(#ty);
        }
    });

    quote! {
        /// The typed informer factory: one shared informer per kind, reached through group and
        /// version accessors (`factory.apps().v1().deployments()`).
        #[derive(Clone, Debug)]
        pub struct SharedInformerFactory {
            factory: ::kube_informer::SharedInformerFactory,
        }

        impl SharedInformerFactory {
            /// A factory over all namespaces with `default_resync` for handlers (zero: none).
            #[inline]
            pub fn new(client: ::kube::Client, default_resync: ::std::time::Duration) -> Self {
                Self::from_factory(::kube_informer::SharedInformerFactory::new(client, default_resync))
            }
            /// Wraps a runtime factory built with other options (namespace, selectors, transform).
            #[inline]
            pub fn from_factory(factory: ::kube_informer::SharedInformerFactory) -> Self {
                SharedInformerFactory { factory }
            }
            /// The runtime factory: informers of any type, dynamic informers of any resource.
            #[inline]
            pub fn factory(&self) -> &::kube_informer::SharedInformerFactory {
                &self.factory
            }
            /// Starts every informer asked for so far; idempotent.
            #[inline]
            pub fn start(&self) {
                self.factory.start();
            }
            /// Waits until every started informer synced; reports each by name.
            #[inline]
            pub async fn wait_for_cache_sync(&self) -> ::std::collections::BTreeMap<::std::string::String, bool> {
                self.factory.wait_for_cache_sync().await
            }
            /// Waits until every started informer synced or `timeout` passed.
            #[inline]
            pub async fn wait_for_cache_sync_timeout(
                &self,
                timeout: ::std::time::Duration,
            ) -> ::std::collections::BTreeMap<::std::string::String, bool> {
                self.factory.wait_for_cache_sync_timeout(timeout).await
            }
            /// Stops every informer and clears every cache.
            #[inline]
            pub async fn shutdown(&self) {
                self.factory.shutdown().await;
            }
            #(#group_accessors)*

            /// A generic informer for a generated resource (client-go's `ForResource`), or an
            /// error naming the resource when it is not one of them.
            pub fn for_resource(
                &self,
                gvr: &::kube::core::GroupVersionResource,
            ) -> ::std::result::Result<GenericInformer, UnknownResource> {
                let Some(info) = RESOURCES
                    .iter()
                    .find(|r| r.group == gvr.group && r.version == gvr.version && r.plural == gvr.resource)
                else {
                    return ::std::result::Result::Err(UnknownResource { gvr: gvr.clone() });
                };
                let gvk = ::kube::core::GroupVersionKind::gvk(info.group, info.version, info.kind);
                let resource = ::kube::core::ApiResource::from_gvk_with_plural(&gvk, info.plural);
                let scope = if info.namespaced { ::kube_informer::Scope::Namespaced } else { ::kube_informer::Scope::Cluster };
                ::std::result::Result::Ok(GenericInformer {
                    gvr: gvr.clone(),
                    informer: self.factory.dynamic_informer(&resource, scope),
                })
            }
        }

        /// One resource the generated code serves, as the generator saw it.
        #[derive(Clone, Copy, Debug, PartialEq, Eq)]
        pub struct ResourceInfo {
            /// API group (empty for the core group).
            pub group: &'static str,
            /// API version.
            pub version: &'static str,
            /// Kind.
            pub kind: &'static str,
            /// Plural resource name.
            pub plural: &'static str,
            /// Whether it is namespaced.
            pub namespaced: bool,
        }

        /// Every resource the generated code serves, sorted by group, version and kind.
        pub const RESOURCES: &[ResourceInfo] = &[#(#table),*];

        /// An informer for any generated resource, as dynamic objects (kind and apiVersion set).
        #[derive(Clone, Debug)]
        pub struct GenericInformer {
            gvr: ::kube::core::GroupVersionResource,
            informer: ::kube_informer::SharedIndexInformer<::kube::core::DynamicObject>,
        }

        impl GenericInformer {
            /// The resource.
            #[inline]
            pub fn gvr(&self) -> &::kube::core::GroupVersionResource {
                &self.gvr
            }
            /// The shared informer.
            #[inline]
            pub fn informer(&self) -> &::kube_informer::SharedIndexInformer<::kube::core::DynamicObject> {
                &self.informer
            }
            /// A lister over its cache.
            #[inline]
            pub fn lister(&self) -> ::kube_informer::Lister<::kube::core::DynamicObject> {
                self.informer.lister()
            }
        }

        /// `for_resource` was asked for a resource the generated code does not have.
        #[derive(Clone, Debug, PartialEq, Eq)]
        pub struct UnknownResource {
            /// The resource asked for.
            pub gvr: ::kube::core::GroupVersionResource,
        }

        impl ::std::fmt::Display for UnknownResource {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                write!(f, "no generated informer for resource {:?} in group {:?} version {:?}", self.gvr.resource, self.gvr.group, self.gvr.version)
            }
        }

        impl ::std::error::Error for UnknownResource {}

        #(#registrations)*

        #(#groups)*
    }
}

fn emit_group(group: &str, versions: &BTreeMap<&str, Vec<&Resource>>) -> TokenStream {
    let module = ident::group(group);
    let version_accessors = versions.keys().map(|v| {
        let v = ident::snake(v);
        let doc = format!("Version `{v}` of this group.");
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn #v(&self) -> #v::Version<'a> {
                #v::Version::new(self.factory)
            }
        }
    });
    let version_modules = versions.iter().map(|(v, resources)| emit_version(v, resources));
    let doc = if group.is_empty() {
        "The core API group.".to_owned()
    } else {
        format!("The `{group}` API group.")
    };
    quote! {
        #[doc = #doc]
        pub mod #module {
            /// Accessors for the versions of this group.
            #[derive(Clone, Copy, Debug)]
            pub struct Group<'a> {
                factory: &'a ::kube_informer::SharedInformerFactory,
            }
            impl<'a> Group<'a> {
                #[doc(hidden)]
                #[inline]
                pub fn new(factory: &'a ::kube_informer::SharedInformerFactory) -> Self {
                    Group { factory }
                }
                #(#version_accessors)*
            }
            #(#version_modules)*
        }
    }
}

fn emit_version(version: &str, resources: &[&Resource]) -> TokenStream {
    let module = ident::snake(version);
    let accessors = resources.iter().map(|r| {
        let method = ident::snake(&r.plural);
        let informer = format_ident!("{}Informer", ident::kind(&r.kind));
        let doc = format!("The informers of `{}` (resource `{}`).", r.kind, r.plural);
        let cfg = cfg(r);
        quote! {
            #cfg
            #[doc = #doc]
            #[inline]
            pub fn #method(&self) -> #informer {
                ::kube_informer::TypedInformer::new(self.factory.clone())
            }
        }
    });
    let aliases = resources.iter().map(|r| {
        let name = ident::kind(&r.kind);
        let informer = format_ident!("{name}Informer");
        let lister = format_ident!("{name}Lister");
        let ty = path(&r.path);
        let cfg = cfg(r);
        let informer_doc = format!(
            "The informers of `{}`: its shared informer, lister, metadata and dynamic informers.",
            r.kind
        );
        let lister_doc = format!(
            "Lists `{}` objects from the informer cache{}.",
            r.kind,
            if r.namespaced {
                "; `namespace(ns)` for one namespace"
            } else {
                "; `get(name)`"
            }
        );
        quote! {
            #cfg
            #[doc = #informer_doc]
            pub type #informer = ::kube_informer::TypedInformer<#ty>;
            #cfg
            #[doc = #lister_doc]
            pub type #lister = ::kube_informer::Lister<#ty>;
        }
    });
    let doc = format!("Version `{version}`.");
    quote! {
        #[doc = #doc]
        pub mod #module {
            /// Accessors for the informers of this version.
            #[derive(Clone, Copy, Debug)]
            pub struct Version<'a> {
                factory: &'a ::kube_informer::SharedInformerFactory,
            }
            impl<'a> Version<'a> {
                #[doc(hidden)]
                #[inline]
                pub fn new(factory: &'a ::kube_informer::SharedInformerFactory) -> Self {
                    Version { factory }
                }
                #(#accessors)*
            }
            #(#aliases)*
        }
    }
}
