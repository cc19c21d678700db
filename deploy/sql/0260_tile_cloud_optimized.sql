-- Whether a GeoTIFF's layout is cloud-optimised by GDAL's rules (validate_cloud_optimized_geotiff), as the header reader
-- judges it: STAC gives such tiles the media type "image/tiff; application=geotiff; profile=cloud-optimized". NULL for
-- other formats, and for rows written before this migration until their file is read again.
ALTER TABLE pcrs_tiles ADD COLUMN IF NOT EXISTS cloud_optimized boolean;
