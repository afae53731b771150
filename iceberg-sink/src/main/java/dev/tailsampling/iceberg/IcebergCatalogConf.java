package dev.tailsampling.iceberg;

import java.io.Serializable;
import java.nio.file.Paths;
import java.util.HashMap;
import java.util.Locale;
import java.util.Map;
import org.apache.iceberg.CatalogProperties;
import org.apache.iceberg.PartitionField;
import org.apache.iceberg.ReplaceSortOrder;
import org.apache.iceberg.Table;
import org.apache.iceberg.UpdatePartitionSpec;
import org.apache.iceberg.UpdateProperties;
import org.apache.iceberg.catalog.Catalog;
import org.apache.iceberg.catalog.Namespace;
import org.apache.iceberg.catalog.SupportsNamespaces;
import org.apache.iceberg.catalog.TableIdentifier;
import org.apache.iceberg.exceptions.AlreadyExistsException;
import org.apache.iceberg.flink.CatalogLoader;
import org.apache.iceberg.flink.TableLoader;
import org.apache.iceberg.types.TypeUtil;

/**
 * Where the tables live: a catalog of a given type, its warehouse, pass-through catalog properties
 * (for example {@code uri} of a REST catalog) and the namespace of our tables.
 */
public final class IcebergCatalogConf implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The catalog implementations the job can load. */
    public enum CatalogType {
        /** Tables in a folder (local or any Hadoop file system); needs a warehouse. */
        HADOOP,
        /** An Iceberg REST catalog; needs {@code uri}. */
        REST,
        /** A Hive metastore; needs {@code uri} and the Hive client jars on the cluster. */
        HIVE
    }

    private final CatalogType type;
    private final String warehouse;
    private final String namespace;
    private final Map<String, String> properties;

    public IcebergCatalogConf(CatalogType type, String warehouse, String namespace, Map<String, String> properties) {
        this.type = type;
        this.warehouse = warehouse;
        this.namespace = namespace;
        this.properties = new HashMap<>(properties);
        if (warehouse != null && !warehouse.isEmpty()) {
            this.properties.put(CatalogProperties.WAREHOUSE_LOCATION, warehouse);
        }
        if (type == CatalogType.HADOOP && !this.properties.containsKey(CatalogProperties.WAREHOUSE_LOCATION)) {
            throw new IllegalArgumentException("a hadoop catalog needs a warehouse folder: set --iceberg.warehouse");
        }
        if (type != CatalogType.HADOOP && !this.properties.containsKey(CatalogProperties.URI)) {
            throw new IllegalArgumentException("a " + type.name().toLowerCase(Locale.ROOT)
                    + " catalog needs its address: set --iceberg.catalog.uri");
        }
    }

    /** The catalog that the {@link IcebergOptions} in {@code params} (keys without the dashes) name. */
    public static IcebergCatalogConf fromParameters(Map<String, String> params) {
        String typeName =
                params.getOrDefault(IcebergOptions.CATALOG_TYPE.key(), IcebergOptions.CATALOG_TYPE.defaultValue());
        CatalogType type;
        try {
            type = CatalogType.valueOf(typeName.trim().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(
                    "--" + IcebergOptions.CATALOG_TYPE.key() + ": '" + typeName + "' is not one of hadoop, rest, hive");
        }
        String warehouse = params.get(IcebergOptions.WAREHOUSE.key());
        if (type == CatalogType.HADOOP) {
            warehouse = warehouse == null ? IcebergOptions.WAREHOUSE.defaultValue() : warehouse;
            if (!warehouse.contains(":")) {
                // A plain folder: absolute here, where the job is built, for every task alike.
                warehouse = Paths.get(warehouse).toAbsolutePath().toUri().toString();
            }
        }
        String namespace = params.getOrDefault(IcebergOptions.NAMESPACE.key(), IcebergOptions.NAMESPACE.defaultValue());
        if (namespace.isBlank()) {
            throw new IllegalArgumentException("--" + IcebergOptions.NAMESPACE.key() + " must not be empty");
        }
        String prefix = IcebergOptions.CATALOG_PREFIX;
        Map<String, String> passThrough = new HashMap<>();
        params.forEach((key, value) -> {
            if (key.startsWith(prefix) && key.length() > prefix.length()) {
                passThrough.put(key.substring(prefix.length()), value);
            }
        });
        return new IcebergCatalogConf(type, warehouse, namespace, passThrough);
    }

    /** A local Hadoop-catalog warehouse in {@code folder}, namespace {@code tracing}. */
    public static IcebergCatalogConf localWarehouse(String folder) {
        return new IcebergCatalogConf(CatalogType.HADOOP, folder, "tracing", Map.of());
    }

    /** Which catalog this is, for messages: its type and its address or warehouse (no secrets). */
    public String describe() {
        String where = properties.containsKey(CatalogProperties.URI)
                ? "at " + properties.get(CatalogProperties.URI)
                : "in " + properties.get(CatalogProperties.WAREHOUSE_LOCATION);
        return type.name().toLowerCase(Locale.ROOT) + " catalog " + where;
    }

    public CatalogType type() {
        return type;
    }

    public String namespace() {
        return namespace;
    }

    /** Catalog properties, warehouse included, as given (placeholders unresolved). */
    public Map<String, String> properties() {
        return Map.copyOf(properties);
    }

    /**
     * Catalog properties with their {@code ${env:..}}, {@code ${file:..}} and {@code ${dir:..}}
     * placeholders resolved here, for a catalog made in this process (a SQL session).
     */
    public Map<String, String> resolvedProperties() {
        return ConfigPlaceholders.resolve(properties);
    }

    /** Loads the catalog wherever it is used, resolving the properties' placeholders there. */
    public CatalogLoader catalogLoader() {
        return new ResolvingCatalogLoader(type, properties);
    }

    public TableIdentifier tableId(String table) {
        return TableIdentifier.of(Namespace.of(namespace), table);
    }

    public TableLoader tableLoader(String table) {
        return TableLoader.fromCatalog(catalogLoader(), tableId(table));
    }

    /**
     * Loads the table, creating it (and its namespace) first if it does not exist yet. A table made
     * by an older version gets the columns (nested ones too), properties and partition fields it
     * lacks, and the sort order if it had none; nothing is renamed or dropped, and the columns it
     * has that this version no longer writes stay, null in new rows.
     */
    public Table createTableIfMissing(TableDefinition table) {
        Catalog catalog = catalogLoader().loadCatalog();
        TableIdentifier id = tableId(table.name());
        if (catalog instanceof SupportsNamespaces) {
            SupportsNamespaces namespaces = (SupportsNamespaces) catalog;
            if (!namespaces.namespaceExists(id.namespace())) {
                try {
                    namespaces.createNamespace(id.namespace());
                } catch (AlreadyExistsException createdMeanwhile) {
                    // another job created it first: fine
                }
            }
        }
        if (catalog.tableExists(id)) {
            Table existing = catalog.loadTable(id);
            // Columns nested in structs and lists count too: a summary's path step gains fields.
            if (!TypeUtil.indexByName(existing.schema().asStruct())
                    .keySet()
                    .containsAll(TypeUtil.indexByName(table.schema().asStruct()).keySet())) {
                existing.updateSchema().unionByNameWith(table.schema()).commit();
            }
            Map<String, String> missing = new HashMap<>(table.properties());
            missing.keySet().removeAll(existing.properties().keySet());
            if (!missing.isEmpty()) {
                UpdateProperties update = existing.updateProperties();
                missing.forEach(update::set);
                update.commit();
            }
            addMissingPartitionFields(existing, table);
            if (existing.sortOrder().isUnsorted() && !table.sortOrder().isUnsorted()) {
                ReplaceSortOrder order = existing.replaceSortOrder();
                table.sortOrder()
                        .fields()
                        .forEach(field -> order.asc(existing.schema().findColumnName(field.sourceId())));
                order.commit();
            }
            return existing;
        }
        try {
            return catalog.buildTable(id, table.schema())
                    .withPartitionSpec(table.spec())
                    .withSortOrder(table.sortOrder())
                    .withProperties(table.properties())
                    .create();
        } catch (AlreadyExistsException createdMeanwhile) {
            return catalog.loadTable(id);
        }
    }

    /**
     * Evolves a table made with fewer partition fields (by hour only, before the service was added)
     * to the definition's spec in place: files written before keep their old partitioning and stay
     * readable, new ones get the new. Only identity fields are ever added this way.
     */
    private static void addMissingPartitionFields(Table existing, TableDefinition table) {
        UpdatePartitionSpec update = null;
        for (PartitionField wanted : table.spec().fields()) {
            // By column name: a catalog assigns its own field ids when it creates a table.
            String column = table.schema().findColumnName(wanted.sourceId());
            boolean present = existing.spec().fields().stream()
                    .anyMatch(field -> column.equals(existing.schema().findColumnName(field.sourceId()))
                            && field.transform()
                                    .toString()
                                    .equals(wanted.transform().toString()));
            if (present) {
                continue;
            }
            if (!wanted.transform().isIdentity()) {
                throw new IllegalStateException(table.name() + " lacks the partition field " + wanted.transform() + "("
                        + column + ") and only identity fields are added to an existing table");
            }
            update = update == null ? existing.updateSpec() : update;
            update.addField(column);
        }
        if (update != null) {
            update.commit();
        }
    }

    /** Loads an existing table. */
    public Table loadTable(String table) {
        return catalogLoader().loadCatalog().loadTable(tableId(table));
    }
}
