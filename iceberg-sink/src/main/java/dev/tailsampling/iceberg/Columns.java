package dev.tailsampling.iceberg;

import java.io.Serializable;
import java.util.List;
import org.apache.flink.api.common.functions.MapFunction;
import org.apache.flink.table.data.GenericRowData;
import org.apache.flink.table.data.RowData;
import org.apache.iceberg.Schema;
import org.apache.iceberg.types.Types;

/**
 * A table's columns, each declared once beside what fills it from a record: the table's schema and
 * the row a record becomes both come from this one list, so their order cannot drift.
 */
public final class Columns<T> implements Serializable {
    private static final long serialVersionUID = 1L;

    /** A column's value in a record, as Flink's internal row value (see {@link Rows}). */
    @FunctionalInterface
    public interface Value<T> extends Serializable {
        Object of(T record);
    }

    /** One column: its Iceberg field and its value. */
    public record Column<T>(Types.NestedField field, Value<T> value) implements Serializable {}

    private final List<Column<T>> columns;

    private Columns(List<Column<T>> columns) {
        this.columns = List.copyOf(columns);
    }

    @SafeVarargs
    public static <T> Columns<T> of(Column<T>... columns) {
        return new Columns<>(List.of(columns));
    }

    public static <T> Column<T> column(Types.NestedField field, Value<T> value) {
        return new Column<>(field, value);
    }

    /** The table's schema: the columns' fields, in order. */
    public Schema schema() {
        return new Schema(columns.stream().map(Column::field).toList());
    }

    /** A record as a row of {@link #schema()}. */
    public RowData row(T record) {
        GenericRowData row = new GenericRowData(columns.size());
        for (int i = 0; i < columns.size(); i++) {
            row.setField(i, columns.get(i).value().of(record));
        }
        return row;
    }

    /** The mapping from records to rows that the table's sink runs. */
    public MapFunction<T, RowData> rows() {
        return this::row;
    }
}
