package dev.tailsampling.iceberg;

import java.util.Map;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.flink.CatalogLoader;

/**
 * Loads the catalog with its properties' placeholders ({@link ConfigPlaceholders}) resolved at
 * the moment of loading, in the process that loads it: what is serialized into the job, and what
 * its {@code toString} shows, holds the placeholders only.
 */
final class ResolvingCatalogLoader implements CatalogLoader {
    private static final long serialVersionUID = 1L;

    private final IcebergCatalogConf.CatalogType type;
    private final Map<String, String> properties;

    ResolvingCatalogLoader(IcebergCatalogConf.CatalogType type, Map<String, String> properties) {
        this.type = type;
        this.properties = Map.copyOf(properties);
    }

    @Override
    public Catalog loadCatalog() {
        Map<String, String> resolved = ConfigPlaceholders.resolve(properties);
        org.apache.hadoop.conf.Configuration hadoop = new org.apache.hadoop.conf.Configuration();
        switch (type) {
            case HADOOP:
                return CatalogLoader.hadoop("tracing", hadoop, resolved).loadCatalog();
            case REST:
                return CatalogLoader.rest("tracing", hadoop, resolved).loadCatalog();
            default:
                return CatalogLoader.hive("tracing", hadoop, resolved).loadCatalog();
        }
    }

    @Override
    @SuppressWarnings({"checkstyle:NoClone", "checkstyle:SuperClone"})
    public CatalogLoader clone() {
        return new ResolvingCatalogLoader(type, properties);
    }

    @Override
    public String toString() {
        return "ResolvingCatalogLoader{type=" + type + ", properties=" + properties.keySet() + "}";
    }
}
