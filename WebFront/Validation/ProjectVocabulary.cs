namespace Pcrs.WebFront.Validation;

/// <summary>The enumeration values users of the PCRS platform know (its validator and data model v0.6).</summary>
public static class ProjectVocabulary
{
    public static readonly string[] Regimes = ["production", "maj", "anticipation"];
    public static readonly string[] ProjectNatures = ["vecteur", "raster", "mixte"];

    /// <summary>Step statuses in the platform's lifecycle order.</summary>
    public static readonly string[] StepStatuses =
    [
        "investigation", "convention_signee", "marche_public_en_cours", "prod_en_cours", "controle_en_cours",
        "realise", "disponible", "obsolete",
    ];

    public static readonly string[] ActorRoles =
        ["aplc", "porteur", "financeur", "diffuseur", "presta_vol", "presta_lidar", "controleur"];

    /// <summary>"cepr" is the platform's historical spelling of "cper"; both are accepted, "cper" is stored.</summary>
    public static readonly string[] SubsidyNatures = ["feder", "cper", "cepr", "detr"];

    public static readonly string[] DeliverableNatures = ["geotiff", "jpeg2000", "gml", "dxf", "dwg", "gpkg"];
    public static readonly string[] Licences = ["ouvert_lo", "ouvert_odbl", "ferme"];
    public static readonly string[] Diffusions = ["wms", "wmts", "wfs", "tms", "none"];

    public static readonly string[] StorageTypes = ["http", "ftp", "sftp"];
    public static readonly string[] FtpTls = ["none", "explicit", "implicit"];
}
