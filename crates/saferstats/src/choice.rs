//! Options given as words: one definition of each option's names and aliases, used by
//! `FromStr`, `Display`, serde, the bindings and the CLI alike.
//!
//! Parsing ignores case and surrounding spaces and treats `-`, `_` and a space alike, so
//! `"Financial year"`, `"financial-year"` and `"fy"` all name [`crate::period::PeriodKind::FinancialYear`].
//! An unknown word is an [`crate::Error::InvalidParameter`] naming the parameter and listing
//! the accepted values.
//!
//! ```
//! use saferstats::all_choices;
//! use saferstats::period::PeriodKind;
//! assert_eq!("FY".parse::<PeriodKind>()?, PeriodKind::FinancialYear);
//! assert_eq!(PeriodKind::FinancialYear.to_string(), "financial_year");
//! let err = "fortnight".parse::<PeriodKind>().unwrap_err().to_string();
//! assert!(err.contains("'period'") && err.contains("financial_year"), "{err}");
//! assert!(all_choices().iter().any(|(param, names)| *param == "period" && names.contains(&"month")));
//! # Ok::<(), saferstats::Error>(())
//! ```

/// An option named by words (see the module docs).
///
/// Implemented by every word-valued option of the crate ([`crate::geo::geography::Level`],
/// [`crate::period::PeriodKind`], [`crate::frame::grid_hotspots::FdrAdjust`], ...), each of
/// which also implements `FromStr`, `Display`, `Serialize` and `Deserialize` through it.
///
/// # Examples
///
/// ```
/// use saferstats::choice::Choice;
/// use saferstats::geo::geography::Level;
/// assert_eq!(Level::PARAMETER, "level");
/// assert_eq!(Level::ALL.len(), Level::NAMES.len());
/// assert!(Level::ALIASES.contains(&("pfa", "force")));
/// assert_eq!(Level::parse_choice("Police force")?, Level::Force);
/// # Ok::<(), saferstats::Error>(())
/// ```
pub trait Choice: Sized + Copy + 'static {
    /// The parameter this option is given as (used in error messages), e.g. `"period"`.
    const PARAMETER: &'static str;
    /// Every value, in declaration order.
    const ALL: &'static [Self];
    /// The canonical name of each value, in the order of [`Choice::ALL`].
    const NAMES: &'static [&'static str];
    /// Other accepted spellings, as `(alias, canonical name)`.
    const ALIASES: &'static [(&'static str, &'static str)];

    /// The canonical name (also what `Display` and `Serialize` write).
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::choice::Choice;
    /// use saferstats::period::PeriodKind;
    /// assert_eq!(PeriodKind::FinancialYear.name(), "financial_year");
    /// assert_eq!(PeriodKind::Rolling12.to_string(), PeriodKind::Rolling12.name());
    /// ```
    fn name(self) -> &'static str;

    /// Parse a canonical name or alias (case, `-`, `_` and spaces ignored).
    ///
    /// # Errors
    /// [`crate::Error::InvalidParameter`] naming [`Choice::PARAMETER`] and the accepted values.
    ///
    /// # Examples
    ///
    /// ```
    /// use saferstats::choice::Choice;
    /// use saferstats::period::PeriodKind;
    /// assert_eq!(PeriodKind::parse_choice(" Financial-Year ")?, PeriodKind::FinancialYear);
    /// assert_eq!(PeriodKind::parse_choice("FY")?, PeriodKind::FinancialYear);
    /// let err = PeriodKind::parse_choice("fortnight").unwrap_err();
    /// assert!(matches!(err, saferstats::Error::InvalidParameter { name: "period", .. }));
    /// # Ok::<(), saferstats::Error>(())
    /// ```
    fn parse_choice(text: &str) -> crate::Result<Self> {
        let wanted = normalise(text);
        let canonical = Self::ALIASES
            .iter()
            .find(|(alias, _)| normalise(alias) == wanted)
            .map(|(_, canonical)| normalise(canonical))
            .unwrap_or(wanted);
        Self::ALL
            .iter()
            .zip(Self::NAMES)
            .find(|(_, name)| normalise(name) == canonical)
            .map(|(value, _)| *value)
            .ok_or_else(|| crate::Error::InvalidParameter {
                name: Self::PARAMETER,
                reason: format!(
                    "unknown value '{}'; expected one of {}",
                    text.trim(),
                    Self::NAMES.join(", ")
                ),
            })
    }
}

fn normalise(text: &str) -> String {
    text.trim().to_ascii_lowercase().replace(['-', ' '], "_")
}

/// Implements [`Choice`], `FromStr`, `Display`, `Serialize` and `Deserialize` for a fieldless
/// enum from one table of names and aliases.
macro_rules! choice {
    ($ty:ident, $param:literal, { $($variant:ident => $name:literal $(| $alias:literal)*),+ $(,)? }) => {
        impl $crate::choice::Choice for $ty {
            const PARAMETER: &'static str = $param;
            const ALL: &'static [Self] = &[$($ty::$variant),+];
            const NAMES: &'static [&'static str] = &[$($name),+];
            const ALIASES: &'static [(&'static str, &'static str)] = &[$($(($alias, $name),)*)+];
            fn name(self) -> &'static str {
                match self { $($ty::$variant => $name),+ }
            }
        }
        impl std::str::FromStr for $ty {
            type Err = $crate::Error;
            fn from_str(s: &str) -> $crate::Result<Self> {
                <$ty as $crate::choice::Choice>::parse_choice(s)
            }
        }
        impl std::fmt::Display for $ty {
            fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str($crate::choice::Choice::name(*self))
            }
        }
        impl serde::Serialize for $ty {
            fn serialize<S: serde::Serializer>(&self, s: S) -> std::result::Result<S::Ok, S::Error> {
                s.serialize_str($crate::choice::Choice::name(*self))
            }
        }
        impl<'de> serde::Deserialize<'de> for $ty {
            fn deserialize<D: serde::Deserializer<'de>>(d: D) -> std::result::Result<Self, D::Error> {
                let text = <std::borrow::Cow<'de, str> as serde::Deserialize>::deserialize(d)?;
                <$ty as $crate::choice::Choice>::parse_choice(&text).map_err(serde::de::Error::custom)
            }
        }
    };
}
pub(crate) use choice;
