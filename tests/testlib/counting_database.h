// CountingDatabase: a SqlDatabase that forwards to another and counts the round trips made
// through it (each statement, each BEGIN, COMMIT and ROLLBACK), for tests that pin how many
// statements a store operation costs. Header-only.
#pragma once

#include <atomic>
#include <memory>
#include <string>
#include <string_view>
#include <utility>

#include "store/sql/sql_connection.h"

namespace cloud::testlib {

class CountingDatabase final : public store::SqlDatabase {
 public:
  explicit CountingDatabase(store::SqlDatabase& db) : db_(db) {}

  int64_t round_trips() const { return round_trips_; }
  void Reset() { round_trips_ = 0; }

  Result<int64_t> Exec(std::string_view sql, const store::SqlParams& params) override {
    ++round_trips_;
    return db_.Exec(sql, params);
  }
  Result<store::Rows> Query(std::string_view sql, const store::SqlParams& params) override {
    ++round_trips_;
    return db_.Query(sql, params);
  }
  store::Dialect dialect() const override { return db_.dialect(); }
  Result<std::unique_ptr<store::SqlTransaction>> Begin() override {
    ++round_trips_;
    CLOUD_TRY(std::unique_ptr<store::SqlTransaction> tx, db_.Begin());
    return std::unique_ptr<store::SqlTransaction>(
        std::make_unique<Transaction>(std::move(tx), round_trips_));
  }
  std::string redacted_url() const override { return db_.redacted_url(); }

 private:
  class Transaction final : public store::SqlTransaction {
   public:
    Transaction(std::unique_ptr<store::SqlTransaction> tx, std::atomic<int64_t>& round_trips)
        : tx_(std::move(tx)), round_trips_(round_trips) {}
    Result<int64_t> Exec(std::string_view sql, const store::SqlParams& params) override {
      ++round_trips_;
      return tx_->Exec(sql, params);
    }
    Result<store::Rows> Query(std::string_view sql, const store::SqlParams& params) override {
      ++round_trips_;
      return tx_->Query(sql, params);
    }
    store::Dialect dialect() const override { return tx_->dialect(); }
    Result<void> Commit() override {
      ++round_trips_;
      return tx_->Commit();
    }
    Result<void> Rollback() override {
      ++round_trips_;
      return tx_->Rollback();
    }

   private:
    std::unique_ptr<store::SqlTransaction> tx_;
    std::atomic<int64_t>& round_trips_;
  };

  store::SqlDatabase& db_;
  std::atomic<int64_t> round_trips_ = 0;
};

}  // namespace cloud::testlib
