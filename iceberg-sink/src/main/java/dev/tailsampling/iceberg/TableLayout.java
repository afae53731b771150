package dev.tailsampling.iceberg;

import java.io.Serializable;
import java.util.ArrayList;
import java.util.List;
import org.apache.flink.table.data.GenericArrayData;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.types.Type;
import org.apache.iceberg.types.Types;

/**
 * Lays a row of a table's definition out as the table in the catalog holds its columns. Iceberg's
 * Flink writer reads a row by position in the table's schema; a table made by an older version
 * keeps the columns this version no longer writes (nothing is dropped), so each of its columns is
 * filled by name from the definition's row, and left null where the definition has none. Rows are
 * the {@link GenericRowData} and {@link GenericArrayData} that {@link Columns} and {@link Rows}
 * make.
 */
final class TableLayout implements Serializable {
    private static final long serialVersionUID = 1L;

    /** For each of the table's fields, the definition's position of it (-1: none), and its own layout. */
    private final int[] from;

    private final TableLayout[] nested;

    private TableLayout(int[] from, TableLayout[] nested) {
        this.from = from;
        this.nested = nested;
    }

    /**
     * The layout of {@code table}'s rows filled from rows of {@code definition}, or null when the
     * two are laid out alike. Fails, naming the column, when the table requires a column the
     * definition does not have.
     */
    static TableLayout of(String tableName, Types.StructType definition, Types.StructType table) {
        TableLayout layout = struct(tableName, "", definition, table);
        return layout.isIdentity(definition, table) ? null : layout;
    }

    private static TableLayout struct(
            String tableName, String path, Types.StructType definition, Types.StructType table) {
        List<Types.NestedField> wanted = table.fields();
        int[] from = new int[wanted.size()];
        TableLayout[] nested = new TableLayout[wanted.size()];
        for (int i = 0; i < wanted.size(); i++) {
            Types.NestedField field = wanted.get(i);
            Types.NestedField source = definition.field(field.name());
            from[i] = source == null ? -1 : definition.fields().indexOf(source);
            if (source == null && field.isRequired()) {
                throw new IllegalStateException(tableName + " requires the column " + path + field.name()
                        + ", which this version does not write: make it optional"
                        + " (ALTER TABLE ... ALTER COLUMN ... DROP NOT NULL) or drop it");
            }
            Types.StructType sourceStruct = source == null ? null : structOf(source.type());
            Types.StructType tableStruct = structOf(field.type());
            if (sourceStruct != null && tableStruct != null) {
                nested[i] = struct(tableName, path + field.name() + ".", sourceStruct, tableStruct);
            }
        }
        return new TableLayout(from, nested);
    }

    /** The struct of a struct field or of a list's elements; null for anything else. */
    private static Types.StructType structOf(Type type) {
        if (type.isStructType()) {
            return type.asStructType();
        }
        if (type.isListType() && type.asListType().elementType().isStructType()) {
            return type.asListType().elementType().asStructType();
        }
        return null;
    }

    private boolean isIdentity(Types.StructType definition, Types.StructType table) {
        if (from.length != definition.fields().size()) {
            return false;
        }
        for (int i = 0; i < from.length; i++) {
            if (from[i] != i) {
                return false;
            }
            if (nested[i] != null
                    && !nested[i].isIdentity(
                            structOf(definition.fields().get(i).type()),
                            structOf(table.fields().get(i).type()))) {
                return false;
            }
        }
        return true;
    }

    /** The definition's row as a row of the table. */
    RowData apply(RowData row) {
        GenericRowData source = (GenericRowData) row;
        GenericRowData out = new GenericRowData(source.getRowKind(), from.length);
        for (int i = 0; i < from.length; i++) {
            Object value = from[i] < 0 ? null : source.getField(from[i]);
            out.setField(i, nested[i] == null || value == null ? value : nested[i].applyNested(value));
        }
        return out;
    }

    private Object applyNested(Object value) {
        if (value instanceof GenericArrayData array) {
            Object[] elements = array.toObjectArray();
            List<Object> out = new ArrayList<>(elements.length);
            for (Object element : elements) {
                out.add(element == null ? null : apply((RowData) element));
            }
            return new GenericArrayData(out.toArray());
        }
        return apply((RowData) value);
    }
}
