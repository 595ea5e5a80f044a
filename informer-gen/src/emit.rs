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

/// Emits one file for `resources` (sorted and validated by the caller).
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
    let resource_arms = resources.iter().map(|r| {
        let (g, v, p) = (&r.group, &r.version, &r.plural);
        let (ar_kind, ns) = (&r.kind, r.namespaced);
        quote! {
            (#g, #v, #p) => (#ar_kind, #ns)
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
            /// The runtime factory, for dynamic and metadata informers.
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
            #[inline]
            pub fn for_resource(
                &self,
                gvr: &::kube::core::GroupVersionResource,
            ) -> ::std::result::Result<GenericInformer, UnknownResource> {
                let (kind, namespaced): (&str, bool) = match (gvr.group.as_str(), gvr.version.as_str(), gvr.resource.as_str()) {
                    #(#resource_arms,)*
                    _ => return ::std::result::Result::Err(UnknownResource { gvr: gvr.clone() }),
                };
                let gvk = ::kube::core::GroupVersionKind::gvk(&gvr.group, &gvr.version, kind);
                let resource = ::kube::core::ApiResource::from_gvk_with_plural(&gvk, &gvr.resource);
                let scope = if namespaced { ::kube_informer::Scope::Namespaced } else { ::kube_informer::Scope::Cluster };
                ::std::result::Result::Ok(GenericInformer {
                    gvr: gvr.clone(),
                    informer: self.factory.dynamic_informer(&resource, scope),
                })
            }
        }

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
        let ty = path(&r.path);
        let doc = format!("The shared informer of `{}`.", r.kind);
        quote! {
            #[doc = #doc]
            #[inline]
            pub fn #method(&self) -> #informer {
                #informer { informer: self.factory.informer::<#ty>() }
            }
        }
    });
    let types = resources.iter().map(|r| emit_resource(r));
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
            #(#types)*
        }
    }
}

fn emit_resource(r: &Resource) -> TokenStream {
    let name = ident::kind(&r.kind);
    let informer = format_ident!("{name}Informer");
    let lister = format_ident!("{name}Lister");
    let ns_lister = format_ident!("{name}NamespaceLister");
    let ty = path(&r.path);
    let kind = &r.kind;
    let informer_doc = format!("The shared informer of `{kind}` and its lister.");
    let lister_doc = format!("Lists `{kind}` objects from the informer cache.");
    let scoped = if r.namespaced {
        let method = ident::snake(&r.plural);
        let doc = format!("The `{kind}` objects of one namespace.");
        let ns_doc = format!("The cached `{kind}` objects of one namespace.");
        quote! {
            impl #lister {
                #[doc = #doc]
                #[inline]
                pub fn #method(&self, namespace: &str) -> #ns_lister {
                    #ns_lister { lister: self.lister.namespace(namespace) }
                }
            }
            #[doc = #ns_doc]
            pub struct #ns_lister {
                lister: ::kube_informer::NamespaceLister<#ty>,
            }
            impl #ns_lister {
                /// The objects of this namespace matching `selector`.
                #[inline]
                pub fn list(&self, selector: &::kube_informer::labels::LabelSelector) -> ::std::vec::Vec<::std::sync::Arc<#ty>> {
                    self.lister.list(selector)
                }
                /// The object `name` of this namespace.
                #[inline]
                pub fn get(&self, name: &str) -> ::std::result::Result<::std::sync::Arc<#ty>, ::kube_informer::NotFound> {
                    self.lister.get(name)
                }
            }
        }
    } else {
        let doc = format!("A cluster-scoped `{kind}` by name.");
        quote! {
            impl #lister {
                #[doc = #doc]
                #[inline]
                pub fn get(&self, name: &str) -> ::std::result::Result<::std::sync::Arc<#ty>, ::kube_informer::NotFound> {
                    self.lister.get(name)
                }
            }
        }
    };
    quote! {
        #[doc = #informer_doc]
        #[derive(Clone, Debug)]
        pub struct #informer {
            informer: ::kube_informer::SharedIndexInformer<#ty>,
        }
        impl #informer {
            /// The shared informer: add handlers, indexers; it is started by the factory.
            #[inline]
            pub fn informer(&self) -> &::kube_informer::SharedIndexInformer<#ty> {
                &self.informer
            }
            /// A lister over the informer's cache.
            #[inline]
            pub fn lister(&self) -> #lister {
                #lister { lister: self.informer.lister() }
            }
        }
        #[doc = #lister_doc]
        #[derive(Clone, Debug)]
        pub struct #lister {
            lister: ::kube_informer::Lister<#ty>,
        }
        impl #lister {
            /// Every cached object matching `selector`, in every namespace.
            #[inline]
            pub fn list(&self, selector: &::kube_informer::labels::LabelSelector) -> ::std::vec::Vec<::std::sync::Arc<#ty>> {
                self.lister.list(selector)
            }
        }
        #scoped
    }
}
