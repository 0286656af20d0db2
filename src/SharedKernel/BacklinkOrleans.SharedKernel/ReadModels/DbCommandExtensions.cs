using System.Data.Common;

namespace BacklinkOrleans.SharedKernel.ReadModels;

public static class DbCommandExtensions
{
    /// <summary>
    /// Adds a named parameter (<c>@name</c> in the SQL); null becomes DBNull. The name is given with its prefix, so
    /// drivers bind it directly (SQLite would otherwise search three prefixes for every parameter).
    /// </summary>
    public static DbCommand With(this DbCommand command, string name, object? value)
    {
        var parameter = command.CreateParameter();
        parameter.ParameterName = name.Length > 0 && name[0] is '@' or '$' or ':' ? name : "@" + name;
        parameter.Value = value ?? DBNull.Value;
        command.Parameters.Add(parameter);
        return command;
    }

    public static DbCommand Command(this DbConnection connection, string sql, DbTransaction? transaction = null)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        command.Transaction = transaction;
        return command;
    }

    public static string? GetNullableString(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetString(ordinal);

    public static long? GetNullableInt64(this DbDataReader reader, int ordinal) =>
        reader.IsDBNull(ordinal) ? null : reader.GetInt64(ordinal);
}
