-- Work that reacts to commits (auto top-ups) follows the event log with a cursor kept in the
-- database (src/jobs/event-follower.ts), so that a gateway dying between a commit and its
-- reaction loses nothing, and no reaction happens twice.

-- Each event keeps the id of the transaction that wrote it: events are followed in
-- (transaction_id, position) order, and only below the oldest transaction still running, which
-- is an order no later commit can insert into. Added without a value for the events already
-- written (no rewrite of the table, which is append-only besides): a null sorts after no cursor,
-- so followers start with the events written from now on.
ALTER TABLE "event" ADD COLUMN "transaction_id" BIGINT;
ALTER TABLE "event" ALTER COLUMN "transaction_id" SET DEFAULT (pg_current_xact_id())::text::bigint;

-- CreateIndex
CREATE INDEX "event_transaction_id_position_idx" ON "event"("transaction_id", "position");

-- One cursor per consumer: every event before (transaction_id, position) has been reacted to.
CREATE TABLE "event_cursor" (
    "consumer" TEXT NOT NULL,
    "transaction_id" BIGINT NOT NULL,
    "position" BIGINT NOT NULL,
    "updated_at" TIMESTAMPTZ(3) NOT NULL DEFAULT CURRENT_TIMESTAMP,

    CONSTRAINT "event_cursor_pkey" PRIMARY KEY ("consumer")
);

-- Auto top-ups start from here: what was written before was told to the in-process watcher of
-- the gateway that wrote it. Every transaction that has not finished yet is at or after the
-- oldest one running, so its events are still ahead of the cursor.
INSERT INTO "event_cursor" ("consumer", "transaction_id", "position")
VALUES ('auto-top-ups', pg_snapshot_xmin(pg_current_snapshot())::text::bigint, 0);

-- An auto top-up names the event it was fired for: one top-up per event, however often a
-- follower reads it.
ALTER TABLE "top_up" ADD COLUMN "fired_by_event_id" UUID;

-- CreateIndex
CREATE UNIQUE INDEX "top_up_fired_by_event_id_key" ON "top_up"("fired_by_event_id");

-- AddForeignKey
ALTER TABLE "top_up" ADD CONSTRAINT "top_up_fired_by_event_id_fkey" FOREIGN KEY ("fired_by_event_id") REFERENCES "event"("id") ON DELETE RESTRICT ON UPDATE CASCADE;
