//! The presets bundled with the tool: one TOML file per known CRM under `presets/`, embedded at
//! build time. The generic preset (English and French header synonyms) is the fallback.

use c2t_core::Preset;

const BUNDLED: &[(&str, &str)] = &[
    (
        "salesforce",
        include_str!("../../../presets/salesforce.toml"),
    ),
    ("hubspot", include_str!("../../../presets/hubspot.toml")),
    ("pipedrive", include_str!("../../../presets/pipedrive.toml")),
    ("zoho", include_str!("../../../presets/zoho.toml")),
    (
        "dynamics365",
        include_str!("../../../presets/dynamics365.toml"),
    ),
    ("generic", include_str!("../../../presets/generic.toml")),
];

/// Every bundled preset, generic last.
pub fn all() -> Vec<Preset> {
    BUNDLED
        .iter()
        .map(|(name, text)| {
            Preset::from_toml(text)
                .unwrap_or_else(|e| panic!("bundled preset {name} is invalid: {e}"))
        })
        .collect()
}

/// The bundled preset of that name.
pub fn by_name(name: &str) -> Option<Preset> {
    all().into_iter().find(|p| p.name == name)
}

/// Names of the bundled presets, for messages.
pub fn names() -> Vec<&'static str> {
    BUNDLED.iter().map(|(n, _)| *n).collect()
}

#[cfg(test)]
mod tests {
    #[test]
    fn every_bundled_preset_parses() {
        let all = super::all();
        assert_eq!(all.len(), super::names().len());
        assert_eq!(all.last().unwrap().name, "generic");
    }
}
