package io.chatapi.adapters.sqlite;

import io.chatapi.application.port.out.BotStore;
import io.chatapi.domain.Bot;
import io.chatapi.domain.LlmProvider;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import org.jdbi.v3.core.statement.StatementContext;

/** Bot definitions in SQLite; deleting a bot also removes it from every room. */
public final class SqliteBotStore implements BotStore {
    /**
     * At most {@code :limit} of a bot's memberships ({@link SqliteDatabase#deleteInChunks}), none unless the bot
     * exists: members are users too, and a user whose id is that of no bot keeps their rooms.
     */
    private static final String LEAVE_ROOMS = """
            DELETE FROM members WHERE rowid IN (
                SELECT rowid FROM members WHERE user_id = :id AND EXISTS (SELECT 1 FROM bots WHERE id = :id)
                LIMIT :limit)""";

    private final SqliteDatabase db;

    public SqliteBotStore(SqliteDatabase db) {
        this.db = db;
    }

    @Override
    public Bot create(Bot bot) {
        db.write(h -> h.createUpdate("""
                        INSERT INTO bots (id, name, llm_base_url, llm_api_key_env, model, provider, max_context,
                            temperature, max_tokens, created_at)
                        VALUES (:id, :name, :baseUrl, :apiKeyEnv, :model, :provider, :maxContext,
                            :temperature, :maxTokens, :createdAt)""")
                .bind("id", bot.id()).bind("name", bot.name()).bind("baseUrl", bot.llmBaseUrl())
                .bind("apiKeyEnv", bot.llmApiKeyEnv()).bind("model", bot.model())
                .bind("provider", bot.provider().wire())
                .bind("maxContext", bot.maxContext()).bind("temperature", bot.temperature())
                .bind("maxTokens", bot.maxTokens()).bind("createdAt", Columns.nanos(bot.createdAt()))
                .execute());
        return bot;
    }

    @Override
    public List<Bot> list() {
        return db.read(h -> h.createQuery("SELECT * FROM bots ORDER BY created_at, rowid")
                .map(SqliteBotStore::bot).list());
    }

    @Override
    public Optional<Bot> find(String botId) {
        return db.read(h -> h.createQuery("SELECT * FROM bots WHERE id = :id").bind("id", botId)
                .map(SqliteBotStore::bot).findOne());
    }

    @Override
    public boolean delete(String botId) {
        // A bot in every room of a large server leaves them a chunk per write, while it still exists: a stop halfway
        // leaves it in fewer rooms, and deleting it again goes on.
        db.deleteInChunks(h -> h.createUpdate(LEAVE_ROOMS).bind("id", botId)
                .bind("limit", SqliteDatabase.DELETE_CHUNK).execute());
        return db.write(h -> {
            if (h.createUpdate("DELETE FROM bots WHERE id = :id").bind("id", botId).execute() == 0) {
                return false;
            }
            h.createUpdate("DELETE FROM members WHERE user_id = :id").bind("id", botId).execute(); // joined meanwhile
            return true;
        });
    }

    private static Bot bot(ResultSet rs, StatementContext ctx) throws SQLException {
        return new Bot(rs.getString("id"), rs.getString("name"), rs.getString("llm_base_url"),
                rs.getString("llm_api_key_env"), rs.getString("model"),
                LlmProvider.parse(rs.getString("provider")).orElseThrow(), rs.getInt("max_context"),
                Columns.nullableDouble(rs, "temperature"), Columns.nullableInt(rs, "max_tokens"),
                Columns.instant(rs, "created_at"));
    }
}
