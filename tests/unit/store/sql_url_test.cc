// URL parsing, redaction, placeholder translation, error mapping and version ordering: the
// engine-independent pieces of store/sql and store/migrations.
#include <gtest/gtest.h>

#include <string>

#include "store/migrations.h"
#include "store/sql/sql_adapters.h"
#include "store/sql/sql_connection.h"

namespace cloud::store {
namespace {

TEST(ParseDatabaseUrl, AcceptsSqliteAndPostgresForms) {
  struct Case {
    std::string name;
    std::string url;
    Dialect dialect;
    std::string target;
    bool pg_temp;
  };
  const Case cases[] = {
      {"empty means cloud.db", "", Dialect::kSqlite, "cloud.db", false},
      {"bare relative path", "cloud.db", Dialect::kSqlite, "cloud.db", false},
      {"bare absolute path", "/var/lib/cloud/c.db", Dialect::kSqlite, "/var/lib/cloud/c.db", false},
      {"sqlite absolute", "sqlite:///tmp/x.db", Dialect::kSqlite, "/tmp/x.db", false},
      {"sqlite relative", "sqlite://rel/x.db", Dialect::kSqlite, "rel/x.db", false},
      {"sqlite memory", "sqlite://:memory:", Dialect::kSqlite, ":memory:", false},
      {"postgres", "postgres://u:p@h:5432/db?sslmode=disable", Dialect::kPostgres,
       "postgres://u:p@h:5432/db?sslmode=disable", false},
      {"postgresql", "postgresql://h/db", Dialect::kPostgres, "postgresql://h/db", false},
      {"pg_temp stripped (only param)", "postgres://h/db?pg_temp=true", Dialect::kPostgres,
       "postgres://h/db", true},
      {"pg_temp stripped (middle)", "postgres://h/db?sslmode=disable&pg_temp&connect_timeout=3",
       Dialect::kPostgres, "postgres://h/db?sslmode=disable&connect_timeout=3", true},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    auto parsed = ParseDatabaseUrl(c.url);
    ASSERT_TRUE(parsed) << parsed.error().ToString();
    EXPECT_EQ(parsed->dialect, c.dialect);
    EXPECT_EQ(parsed->target, c.target);
    EXPECT_EQ(parsed->pg_temp, c.pg_temp);
  }
}

TEST(ParseDatabaseUrl, RejectsUnknownSchemes) {
  for (std::string url : {"mysql://h/db", "file://x.db", "http://h"}) {
    SCOPED_TRACE(url);
    auto parsed = ParseDatabaseUrl(url);
    ASSERT_FALSE(parsed);
    EXPECT_EQ(parsed.error().code, ErrorCode::kInvalidArgument);
    EXPECT_NE(parsed.error().message.find("unsupported database URL scheme"), std::string::npos)
        << parsed.error().message;
  }
  auto empty = ParseDatabaseUrl("sqlite://");
  ASSERT_FALSE(empty);
  EXPECT_EQ(empty.error().code, ErrorCode::kInvalidArgument);
}

TEST(OpenDatabase, UnknownSchemeIsInvalidArgument) {
  auto db = OpenDatabase("mysql://root@localhost/db", Logger());
  ASSERT_FALSE(db);
  EXPECT_EQ(db.error().code, ErrorCode::kInvalidArgument);
  EXPECT_EQ(db.error().message.find('\n'), std::string::npos);
}

TEST(RedactDatabaseUrl, HidesPasswords) {
  struct Case {
    std::string url, want;
  };
  const Case cases[] = {
      {"postgres://user:secret@host:5432/db?sslmode=disable",
       "postgres://user:xxxxx@host:5432/db?sslmode=disable"},
      {"postgres://user@host/db", "postgres://user@host/db"},
      {"postgres://host/db?user=u&password=secret&x=1",
       "postgres://host/db?user=u&password=xxxxx&x=1"},
      {"postgres://u:p%40ss@h/db", "postgres://u:xxxxx@h/db"},
      {"sqlite:///tmp/x.db", "sqlite:///tmp/x.db"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.url);
    EXPECT_EQ(RedactDatabaseUrl(c.url), c.want);
  }
}

TEST(TranslatePlaceholders, RewritesOnlyOutsideLiteralsAndComments) {
  struct Case {
    std::string sql, want;
  };
  const Case cases[] = {
      {"SELECT * FROM t WHERE a = $1 AND b IN ($2, $10)",
       "SELECT * FROM t WHERE a = ?1 AND b IN (?2, ?10)"},
      {"SELECT '$1', \"$2\" FROM t WHERE x = $3", "SELECT '$1', \"$2\" FROM t WHERE x = ?3"},
      {"SELECT 'it''s $1' WHERE y = $1", "SELECT 'it''s $1' WHERE y = ?1"},
      {"SELECT 1 -- $1 here\nWHERE z = $2", "SELECT 1 -- $1 here\nWHERE z = ?2"},
      {"SELECT $a, $", "SELECT $a, $"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.sql);
    EXPECT_EQ(internal::TranslatePlaceholdersForSqlite(c.sql), c.want);
  }
}

TEST(Placeholders, NumbersFromFirst) {
  EXPECT_EQ(Placeholders(3, 3), "$3, $4, $5");
  EXPECT_EQ(Placeholders(1, 1), "$1");
  EXPECT_EQ(Placeholders(1, 0), "");
}

TEST(MapSqlError, MapsBothEngines) {
  struct Case {
    std::string name;
    std::string sqlstate;
    int sqlite_code;
    ErrorCode want;
  };
  const Case cases[] = {
      {"pg unique", "23505", -1, ErrorCode::kAlreadyExists},
      {"pg connection", "08006", -1, ErrorCode::kUnavailable},
      {"pg admin shutdown", "57P01", -1, ErrorCode::kUnavailable},
      {"pg serialization", "40001", -1, ErrorCode::kUnavailable},
      {"pg deadlock", "40P01", -1, ErrorCode::kUnavailable},
      {"pg not null", "23502", -1, ErrorCode::kInvalidArgument},
      {"pg bad text", "22P02", -1, ErrorCode::kInvalidArgument},
      {"pg syntax", "42601", -1, ErrorCode::kInternal},
      {"sqlite unique", "", 19 | (8 << 8), ErrorCode::kAlreadyExists},
      {"sqlite primary key", "", 19 | (6 << 8), ErrorCode::kAlreadyExists},
      {"sqlite not null", "", 19 | (5 << 8), ErrorCode::kInvalidArgument},
      {"sqlite busy", "", 5, ErrorCode::kUnavailable},
      {"sqlite busy snapshot", "", 5 | (2 << 8), ErrorCode::kUnavailable},
      {"sqlite cantopen", "", 14, ErrorCode::kUnavailable},
      {"sqlite generic", "", 1, ErrorCode::kInternal},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.name);
    Error e = MapSqlError(c.sqlstate, c.sqlite_code, "msg");
    EXPECT_EQ(e.code, c.want);
    EXPECT_EQ(e.message, "msg");
    EXPECT_EQ(IsRetryableSqlError(e), c.want == ErrorCode::kUnavailable);
  }
}

TEST(CompareSemver, OrdersVersionsAndPrereleases) {
  struct Case {
    std::string a, b;
    int want;
  };
  const Case cases[] = {
      {"0.0.0", "0.54.0", -1},
      {"0.9.0", "0.10.0", -1},
      {"0.54.0", "0.54.0", 0},
      {"0.12.1", "0.12.0", 1},
      {"0.55.0-cloud.1", "0.54.0", 1},
      {"0.55.0-cloud.1", "0.55.0", -1},
      {"0.55.0-cloud.2", "0.55.0-cloud.10", -1},
      {"0.55.0-cloud.3", "0.55.0-cloud.3", 0},
      {"1.0.0+build", "1.0.0", 0},
      {"garbage", "0.1.0", 1},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.a + " vs " + c.b);
    EXPECT_EQ(CompareSemver(c.a, c.b), c.want);
    EXPECT_EQ(CompareSemver(c.b, c.a), -c.want);
  }
}

TEST(Migrations, FormAChainFromEmptyThroughUpstreamToLatest) {
  const auto& chain = Migrations();
  ASSERT_FALSE(chain.empty());
  EXPECT_EQ(chain.front().from, "0.0.0");
  EXPECT_EQ(chain.front().to, kUpstreamSchemaVersion);
  for (size_t i = 1; i < chain.size(); ++i) {
    SCOPED_TRACE(std::string(chain[i].from));
    EXPECT_EQ(chain[i].from, chain[i - 1].to);
    EXPECT_LT(CompareSemver(chain[i].from, chain[i].to), 0);
  }
  EXPECT_EQ(LatestSchemaVersion(), chain.back().to);
}

}  // namespace
}  // namespace cloud::store
