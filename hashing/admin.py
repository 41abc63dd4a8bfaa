from django.contrib import admin

from hashing.models import CategoryScheme, CategoryValue, HashList, HashListVersion


class HashListVersionInline(admin.TabularInline):
    model = HashListVersion
    fields = (
        "label",
        "source",
        "status",
        "is_active",
        "file_name",
        "entries",
        "duplicates",
        "malformed",
        "created_at",
    )
    readonly_fields = fields
    extra = 0
    can_delete = False
    show_change_link = False

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(HashList)
class HashListAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "scheme", "default_category", "created_at")
    search_fields = ("name",)
    readonly_fields = ("created_by",)
    inlines = [HashListVersionInline]

    def save_model(self, request, obj, form, change):
        if not change:
            obj.created_by = request.user
        super().save_model(request, obj, form, change)


class CategoryValueInline(admin.TabularInline):
    model = CategoryValue
    fields = ("code", "label", "is_alert")
    extra = 1


@admin.register(CategoryScheme)
class CategorySchemeAdmin(admin.ModelAdmin):
    """A country's own scheme is added here, without code: a code, a name and its categories."""

    list_display = ("name", "code")
    search_fields = ("name", "code")
    inlines = [CategoryValueInline]
