-- Credits an auto top-up adds expire when its rule says (a commerce wallet's `expiration_at`), as
-- those of a top-up asked for by hand do. The top-up keeps the date its rule had when it fired.
ALTER TABLE "auto_top_up_rule" ADD COLUMN "credits_expire_at" TIMESTAMPTZ(3);
ALTER TABLE "top_up" ADD COLUMN "credits_expire_at" TIMESTAMPTZ(3);
