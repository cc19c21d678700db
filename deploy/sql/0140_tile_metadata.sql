-- What the header readers compute beyond the columns of 0100 and used to be dropped on the way to the catalogue: where the
-- georeferencing came from, the PCRS conformity hints, the features per class of vector files and the extent in the
-- file's own CRS. The metadata products (tile index, STAC, conformity report, ISO 19139) are computed from these
-- columns, without rescanning. Rows written before this migration keep NULL until their file is read again.
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS georeference_source text;          -- GeoTIFF, GeoJP2, GMLJP2, WorldFile, AuxXml, GML
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS conformity_hints    jsonb;         -- JSON array of short sentences; [] when conform
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS feature_counts      jsonb;         -- vector files: {"class": count}
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS native_extent       double precision[]; -- minX, minY, maxX, maxY in the file's CRS
