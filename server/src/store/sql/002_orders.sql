-- Version 2: keyset pages of a user's orders, newest first, ordered by (created_at, id) so
-- orders created in the same second page correctly and a page costs the same at any depth.
CREATE INDEX orders_seller_page ON orders(seller_id, created_at, id);
CREATE INDEX orders_buyer_page ON orders(buyer_id, created_at, id);
