-- Version 4: orders_seller (seller_id, created_at) and orders_buyer (buyer_id, created_at) are
-- prefixes of orders_seller_page / orders_buyer_page (version 2), which serve every query the
-- shorter ones did (and the foreign-key lookups on seller_id and buyer_id). Each order write
-- updated both copies; now it updates one.
DROP INDEX orders_seller;
DROP INDEX orders_buyer;
