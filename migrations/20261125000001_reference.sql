-- Reference data: small lookup tables (reference tables when distributed).

CREATE TABLE regions (
    code        char(6) NOT NULL,
    parent_code char(6),
    level       text NOT NULL,
    name_zh     text NOT NULL,
    name_en     text NOT NULL,
    CONSTRAINT regions_pkey PRIMARY KEY (code),
    CONSTRAINT regions_code_digits CHECK (code ~ '^[0-9]{6}$'),
    CONSTRAINT regions_level_known CHECK (level IN ('province', 'prefecture', 'county')),
    CONSTRAINT regions_parent_fkey FOREIGN KEY (parent_code) REFERENCES regions (code)
);

CREATE INDEX regions_parent_idx ON regions (parent_code);

CREATE TABLE categories (
    key        text NOT NULL,
    group_key  text NOT NULL,
    name_zh    text NOT NULL,
    name_en    text NOT NULL,
    CONSTRAINT categories_pkey PRIMARY KEY (key),
    CONSTRAINT categories_key_format CHECK (key ~ '^[a-z][a-z_]{1,39}$'),
    CONSTRAINT categories_group_known CHECK (group_key IN ('enterprise', 'public_window'))
);
