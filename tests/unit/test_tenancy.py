"""Tenancy: the registry read from real files in tmp_path, keys, scopes, stages, errors."""

from __future__ import annotations

from pathlib import Path

import pytest

from graph.registry.tenants import (
    RegistryError,
    hash_secret,
    load_registry,
    new_api_key,
    registry_signature,
)

SECRET = "unitTestSecret0001"


def key_block(key_id: str, scopes: str, stages: str | None = None) -> str:
    lines = [
        "[[keys]]",
        f'id = "{key_id}"',
        f'sha256 = "{hash_secret(SECRET)}"',
        f"scopes = {scopes}",
    ]
    if stages is not None:
        lines.append(f"stages = {stages}")
    return "\n".join(lines) + "\n"


def write(root: Path, tenant_id: str, body: str) -> Path:
    folder = root / "registry"
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{tenant_id}.toml"
    path.write_text(body)
    return path


def tenant_file(tenant_id: str, *keys: str, extra: str = "") -> str:
    return f'id = "{tenant_id}"\nname = "{tenant_id.title()}"\n{extra}\n' + "\n".join(keys)


@pytest.fixture
def tenants(tmp_path: Path) -> Path:
    write(
        tmp_path,
        "acme",
        tenant_file(
            "acme",
            key_block("acme-read", '["read"]'),
            key_block("acme-write", '["write"]'),
            key_block("acme-admin", '["admin"]'),
            key_block("acme-dev", '["read"]', '["dev", "test"]'),
            extra='origins = ["https://shop.acme.example"]\n[limits]\nmax_depth = 7\n',
        ),
    )
    write(tmp_path, "bolt", tenant_file("bolt", key_block("bolt-read", '["read"]')))
    return tmp_path


def test_the_registry_loads_every_tenant_file(tenants: Path) -> None:
    registry = load_registry(tenants, "prod")
    assert sorted(registry.tenants) == ["acme", "bolt"]
    acme = registry.tenants["acme"]
    assert acme.config.origins == ("https://shop.acme.example",)
    assert acme.limits.max_depth == 7
    assert registry.tenants["bolt"].limits.max_depth == 10  # the default
    assert acme.tables.listings == "prod-acme-listings"


def test_a_key_finds_its_tenant_and_nothing_else(tenants: Path) -> None:
    registry = load_registry(tenants, "prod")
    principal = registry.authenticate(f"rg_acme-read_{SECRET}")
    assert principal is not None
    assert principal.tenant.id == "acme"
    assert principal.key_id == "acme-read"
    other = registry.authenticate(f"rg_bolt-read_{SECRET}")
    assert other is not None
    assert other.tenant.id == "bolt"
    assert registry.authenticate(f"rg_acme-read_{SECRET}x") is None  # wrong secret
    assert registry.authenticate(f"rg_nobody-here_{SECRET}") is None  # unknown id
    assert registry.authenticate("acme-read") is None  # not a key at all
    assert registry.authenticate("") is None


def test_scopes_nest(tenants: Path) -> None:
    registry = load_registry(tenants, "prod")
    cans = {}
    for scope in ("read", "write", "admin"):
        principal = registry.authenticate(f"rg_acme-{scope}_{SECRET}")
        assert principal is not None
        cans[scope] = [principal.can(s) for s in ("read", "write", "admin")]  # type: ignore[arg-type]
    assert cans == {
        "read": [True, False, False],
        "write": [True, True, False],
        "admin": [True, True, True],
    }


def test_a_key_works_only_in_its_stages(tenants: Path) -> None:
    dev_key = f"rg_acme-dev_{SECRET}"
    assert load_registry(tenants, "dev").authenticate(dev_key) is not None
    assert load_registry(tenants, "test").authenticate(dev_key) is not None
    assert load_registry(tenants, "prod").authenticate(dev_key) is None
    # keys without `stages` work everywhere
    assert load_registry(tenants, "prod").authenticate(f"rg_acme-read_{SECRET}") is not None


def test_a_new_key_authenticates_once_its_hash_is_registered(tmp_path: Path) -> None:
    raw, digest = new_api_key("fresh-key")
    assert raw.startswith("rg_fresh-key_")
    body = tenant_file(
        "acme", f'[[keys]]\nid = "fresh-key"\nsha256 = "{digest}"\nscopes = ["read"]\n'
    )
    write(tmp_path, "acme", body)
    principal = load_registry(tmp_path, "prod").authenticate(raw)
    assert principal is not None
    assert principal.tenant.id == "acme"


@pytest.mark.parametrize(
    ("file_name", "body", "message"),
    [
        ("acme", 'id = "acme"\nname = ', "acme.toml: cannot read tenant file"),
        ("acme", 'id = "other"\nname = "X"\n', "tenant id 'other' must match the file name"),
        ("acme", 'id = "acme"\n', "field `name`: Field required"),
        ("acme", 'id = "acme"\nname = "A"\ncolour = "red"\n', "field `colour`"),
        (
            "acme",
            'id = "acme"\nname = "A"\norigins = ["https://a.example/path"]\n',
            "is not an origin: use scheme://host[:port], no path",
        ),
        (
            "acme",
            'id = "acme"\nname = "A"\n[tables]\nlistings = "x"\n',
            "must name exactly the tables",
        ),
        ("acme", 'id = "acme"\nname = "A"\n[limits]\nmax_depth = 0\n', "field `limits.max_depth`"),
    ],
)
def test_a_bad_file_is_a_registry_error_naming_file_and_field(
    tmp_path: Path, file_name: str, body: str, message: str
) -> None:
    path = write(tmp_path, file_name, body)
    with pytest.raises(RegistryError) as caught:
        load_registry(tmp_path, "prod")
    assert str(path) in str(caught.value)
    assert message in str(caught.value)


def test_key_ids_are_global(tmp_path: Path) -> None:
    write(tmp_path, "acme", tenant_file("acme", key_block("shared-key", '["read"]')))
    write(tmp_path, "bolt", tenant_file("bolt", key_block("shared-key", '["read"]')))
    with pytest.raises(RegistryError, match="key id 'shared-key' is already used by tenant"):
        load_registry(tmp_path, "prod")


def test_no_registry_folder_is_a_clear_error(tmp_path: Path) -> None:
    with pytest.raises(RegistryError, match="no tenant registry folder"):
        load_registry(tmp_path, "prod")


def test_the_signature_changes_with_the_files(tenants: Path) -> None:
    before = registry_signature(tenants)
    assert [name for name, _, _ in before] == ["acme.toml", "bolt.toml"]
    write(tenants, "bolt", tenant_file("bolt", key_block("bolt-read", '["read", "write"]')))
    assert registry_signature(tenants) != before
