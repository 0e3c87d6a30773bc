-- Version 7: a public key belongs to one device (issue 12 point 7). A key registered twice
-- would let one signer act as two devices (and, with devices revocable, outlive a revocation
-- under its other id). A database holding such duplicates must be cleaned by hand first: this
-- migration then fails and the server does not start.
CREATE UNIQUE INDEX devices_public_key ON devices(public_key);
