using System.Data.Common;

namespace ActorSweep.Hosting.Storage;

/// <summary>
/// Checkpoints in the table actorsweep_checkpoints of a SQL database, through ADO.NET: the same
/// statements serve SQLite and PostgreSQL (both take @parameters and ON CONFLICT upserts); each
/// database supplies its connections, its reference prefix and its table definition.
/// </summary>
public abstract class SqlCheckpointStore : ICheckpointStore
{
    /// <summary>Marks references this store resolves ("sqlite:", "pg:").</summary>
    protected abstract string Prefix { get; }

    /// <summary>An open connection, configured for this database.</summary>
    protected abstract DbConnection Open();

    public string Save(string sweepId, string runId, int attempt, long step, byte[] data)
    {
        string reference = $"{Prefix}{sweepId}/{runId}/{step}.a{attempt}";
        using var connection = Open();
        Execute(connection, """
            INSERT INTO actorsweep_checkpoints (reference, sweep_id, run_id, step, created_at, data)
            VALUES (@ref, @sweep, @run, @step, @at, @data)
            ON CONFLICT (reference) DO UPDATE SET data = excluded.data, created_at = excluded.created_at
            """, ("@ref", reference), ("@sweep", sweepId), ("@run", runId), ("@step", step), ("@at", DateTimeOffset.UtcNow), ("@data", data));
        return reference;
    }

    public void DeleteOlder(string sweepId, string runId, long step)
    {
        using var connection = Open();
        Execute(connection, "DELETE FROM actorsweep_checkpoints WHERE sweep_id = @sweep AND run_id = @run AND step < @step",
            ("@sweep", sweepId), ("@run", runId), ("@step", step));
    }

    public byte[] Load(string reference)
    {
        using var connection = Open();
        using var command = Command(connection, "SELECT data FROM actorsweep_checkpoints WHERE reference = @ref", ("@ref", reference));
        return command.ExecuteScalar() as byte[] ?? throw new FileNotFoundException($"checkpoint '{reference}' is not in the store");
    }

    protected static void Execute(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        using var command = Command(connection, sql, parameters);
        command.ExecuteNonQuery();
    }

    static DbCommand Command(DbConnection connection, string sql, params (string Name, object Value)[] parameters)
    {
        var command = connection.CreateCommand();
        command.CommandText = sql;
        foreach (var (name, value) in parameters)
        {
            var parameter = command.CreateParameter();
            parameter.ParameterName = name;
            parameter.Value = value;
            command.Parameters.Add(parameter);
        }
        return command;
    }
}
