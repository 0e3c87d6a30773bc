-- Payment-code secrets belong to one device: re-provisioning a device replaces its secret.
ALTER TABLE paycode_secrets ADD COLUMN device_id INTEGER REFERENCES devices(id);
CREATE INDEX paycode_secrets_device ON paycode_secrets(device_id);
