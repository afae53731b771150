package dev.tailsampling.iceberg;

import java.util.List;
import org.apache.flink.configuration.ConfigOption;
import org.apache.flink.configuration.ConfigOptions;

/**
 * Where the tables live, as every job and command takes it: {@code --iceberg.catalog-type}, {@code
 * --iceberg.warehouse}, {@code --iceberg.namespace} and the {@code --iceberg.catalog.*} properties
 * passed to the catalog as they are. Read by {@link IcebergCatalogConf#fromParameters}.
 */
public final class IcebergOptions {

    public static final ConfigOption<String> CATALOG_TYPE = ConfigOptions.key("iceberg.catalog-type")
            .stringType()
            .defaultValue("hadoop")
            .withDescription("hadoop, rest or hive.");

    public static final ConfigOption<String> WAREHOUSE = ConfigOptions.key("iceberg.warehouse")
            .stringType()
            .defaultValue("warehouse")
            .withDescription("Warehouse location; a relative path is a folder under the working directory.");

    public static final ConfigOption<String> NAMESPACE = ConfigOptions.key("iceberg.namespace")
            .stringType()
            .defaultValue("tracing")
            .withDescription("Namespace of the tables.");

    /** Parameters under this prefix go to the catalog as they are. */
    public static final String CATALOG_PREFIX = "iceberg.catalog.";

    public static final List<ConfigOption<?>> ALL = List.of(CATALOG_TYPE, WAREHOUSE, NAMESPACE);

    private IcebergOptions() {}
}
