"""The subcommands about accounts (create-user, token, link-identity): each opens the
existing site as the server would, makes one core call, and prints the result.
Core's rules apply as they do to a request; the server may be running.
"""

from __future__ import annotations

import asyncio
import getpass


async def with_core(settings, action):
    """Open the existing data directory as the server would, run action(core), close."""
    from chat.core import Core
    from chat.db import Database
    from chat.hub import Hub
    from chat.ops.datadir import load_secret, prepare_data_dir, require_database

    require_database(settings)
    prepare_data_dir(settings)
    db = Database(settings.database)
    await db.open()
    try:
        return await action(Core(db=db, hub=Hub(), settings=settings, secret=load_secret(settings)))
    finally:
        await db.close()


def create_user(settings, args) -> int:
    from chat.core.people import accounts

    password = args.password or getpass.getpass(f"Password for {args.name}: ")
    user = asyncio.run(
        with_core(
            settings,
            lambda core: accounts.create_user(
                core, args.name, password, args.display_name, is_admin=args.admin
            ),
        )
    )
    print(f"created user {user.username} (id {user.id}{', admin' if user.is_admin else ''})")
    return 0


def print_token(settings, args) -> int:
    from chat.core.people import accounts

    print(
        asyncio.run(
            with_core(
                settings, lambda core: accounts.token_for(core, args.name, args.days, args.label)
            )
        )
    )
    return 0


def link_identity(settings, args) -> int:
    from chat.core.people import identities

    asyncio.run(
        with_core(
            settings,
            lambda core: identities.link(core, None, args.name, args.provider, args.external_name),
        )
    )
    print(f"linked {args.provider} account {args.external_name} to user {args.name}")
    return 0
