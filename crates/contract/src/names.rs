//! One place for an enum's names: [`named_enum!`](crate::named_enum) declares a fieldless enum
//! whose every variant has the name the API, a file or the command line spells it with, and
//! derives from that one list `ALL`, `name()`, `Display`, `FromStr` and serde.

/// A name that is none of an enum's.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("unknown {kind} {name:?} ({expected})")]
pub struct UnknownName {
    /// What was being named: `role`, `key type`.
    pub kind: &'static str,
    /// The name given.
    pub name: String,
    /// The names there are, comma-separated.
    pub expected: String,
}

impl UnknownName {
    /// `name` is none of `names`.
    pub fn new<'a>(
        kind: &'static str,
        name: &str,
        names: impl IntoIterator<Item = &'a str>,
    ) -> Self {
        Self {
            kind,
            name: name.to_owned(),
            expected: names.into_iter().collect::<Vec<_>>().join(", "),
        }
    }
}

/// Declares a fieldless enum with the name of each variant, and derives from that one list
/// `ALL` (in declaration order), `name()`, `Display`, `FromStr` (an [`UnknownName`] error
/// naming `kind`; `: "kind", ignore_case` accepts any case), `Serialize` and `Deserialize`
/// (by name, exactly as written even with `ignore_case`: serde reads what programs wrote,
/// `FromStr` also what people typed).
///
/// ```
/// ocsp_harness_contract::named_enum! {
///     /// A colour.
///     #[derive(Default)]
///     pub enum Colour: "colour" {
///         /// The default.
///         #[default]
///         Red = "red",
///         /// Another.
///         LightBlue = "light-blue",
///     }
/// }
/// assert_eq!(Colour::ALL, [Colour::Red, Colour::LightBlue]);
/// assert_eq!("light-blue".parse::<Colour>(), Ok(Colour::LightBlue));
/// assert_eq!(Colour::Red.to_string(), "red");
/// assert_eq!(
///     "green".parse::<Colour>().unwrap_err().to_string(),
///     r#"unknown colour "green" (red, light-blue)"#
/// );
/// ```
#[macro_export]
macro_rules! named_enum {
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $kind:literal, ignore_case {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $crate::named_enum! {
            @ true $(#[$meta])* $vis enum $name: $kind {
                $( $(#[$vmeta])* $variant = $text ),+
            }
        }
    };
    (
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $crate::named_enum! {
            @ false $(#[$meta])* $vis enum $name: $kind {
                $( $(#[$vmeta])* $variant = $text ),+
            }
        }
    };
    (
        @ $ignore_case:literal
        $(#[$meta:meta])*
        $vis:vis enum $name:ident : $kind:literal {
            $( $(#[$vmeta:meta])* $variant:ident = $text:literal ),+ $(,)?
        }
    ) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
        $vis enum $name {
            $( $(#[$vmeta])* $variant ),+
        }

        impl $name {
            /// Every value, in declaration order.
            pub const ALL: [$name; [$($name::$variant),+].len()] = [$($name::$variant),+];

            /// The name it is spelled with.
            pub const fn name(self) -> &'static str {
                match self {
                    $( $name::$variant => $text ),+
                }
            }

            /// What a value of this type is called in an error.
            pub const KIND: &'static str = $kind;

            /// Every name, in declaration order.
            pub fn names() -> impl Iterator<Item = &'static str> {
                Self::ALL.into_iter().map(Self::name)
            }
        }

        impl ::std::fmt::Display for $name {
            fn fmt(&self, f: &mut ::std::fmt::Formatter<'_>) -> ::std::fmt::Result {
                f.write_str(self.name())
            }
        }

        impl ::std::str::FromStr for $name {
            type Err = $crate::UnknownName;

            fn from_str(text: &str) -> ::std::result::Result<Self, Self::Err> {
                Self::ALL
                    .into_iter()
                    .find(|value| {
                        if $ignore_case {
                            value.name().eq_ignore_ascii_case(text)
                        } else {
                            value.name() == text
                        }
                    })
                    .ok_or_else(|| $crate::UnknownName::new($kind, text, Self::names()))
            }
        }

        impl $crate::__serde::Serialize for $name {
            fn serialize<S: $crate::__serde::Serializer>(&self, serializer: S) -> ::std::result::Result<S::Ok, S::Error> {
                serializer.serialize_str(self.name())
            }
        }

        impl<'de> $crate::__serde::Deserialize<'de> for $name {
            fn deserialize<D: $crate::__serde::Deserializer<'de>>(deserializer: D) -> ::std::result::Result<Self, D::Error> {
                let text = <::std::borrow::Cow<'de, str> as $crate::__serde::Deserialize>::deserialize(deserializer)?;
                Self::ALL
                    .into_iter()
                    .find(|value| value.name() == text)
                    .ok_or_else(|| {
                        <D::Error as $crate::__serde::de::Error>::custom(
                            $crate::UnknownName::new($kind, &text, Self::names()),
                        )
                    })
            }
        }
    };
}
